import { describe, expect, it } from 'vitest'
import { storedSignal } from '../../../../test/helpers/signals.ts'
import { decodeSignals } from '../../../core/events/signal-log.ts'
import {
  awardMoment,
  BadgeCriteriaSchema,
  counterKeysOf,
  counterSignals,
  countersAfter,
  meetsCriteria,
  progressTowards,
  setActive,
} from './badge-criteria.ts'
import { defaultBadges } from './default-badges.ts'

/** The signals the counters' reactor is given: decoded, and only of the types it reads. */
const signal = (type: string, payload: Record<string, unknown> = {}) =>
  decodeSignals(counterSignals, [storedSignal(type, payload)])

describe('badge criteria', () => {
  it('accepts counts, perfect quizzes, streaks and all/any of them', () => {
    for (const criteria of [
      { count: { signal: 'VIDEO_COMPLETED' }, gte: 5 },
      { count: { signal: 'QUIZ_PASSED', perfect: true }, gte: 1 },
      { streak: { gte: 7 } },
      { all: [{ count: { signal: 'COURSE_COMPLETED' }, gte: 1 }, { any: [{ streak: { gte: 3 } }] }] },
      ...defaultBadges.map((b) => b.criteria),
    ]) {
      expect(BadgeCriteriaSchema.safeParse(criteria).success, JSON.stringify(criteria)).toBe(true)
    }
  })

  it('refuses unknown signals, thresholds below 1, stray keys, perfect videos and deep nesting', () => {
    const deep = { all: [{ all: [{ all: [{ all: [{ streak: { gte: 1 } }] }] }] }] }
    for (const criteria of [
      { count: { signal: 'LOGGED_IN' }, gte: 1 },
      { count: { signal: 'VIDEO_COMPLETED' }, gte: 0 },
      { count: { signal: 'VIDEO_COMPLETED' }, gte: 1.5 },
      { count: { signal: 'VIDEO_COMPLETED' }, gte: 1, extra: true },
      { count: { signal: 'VIDEO_COMPLETED', perfect: true }, gte: 1 },
      { streak: { gte: 0 } },
      { all: [] },
      { none: [] },
      deep,
    ]) {
      expect(BadgeCriteriaSchema.safeParse(criteria).success, JSON.stringify(criteria)).toBe(false)
    }
    expect(BadgeCriteriaSchema.safeParse(deep.all[0]).success).toBe(true)
  })

  it('counts signals, perfect quizzes (every point at the first attempt) and the best streak', () => {
    let counters = {}
    for (const s of [
      signal('VIDEO_COMPLETED'),
      signal('VIDEO_COMPLETED'),
      signal('QUIZ_PASSED', { score: 8, max_score: 10, attempts: 1 }),
      signal('QUIZ_PASSED', { score: 10, max_score: 10, attempts: 1 }),
      signal('QUIZ_PASSED', { score: 10, max_score: 10, attempts: 2 }),
      signal('QUIZ_PASSED', { score: 0, max_score: 0, attempts: 1 }),
      signal('COURSE_COMPLETED'),
      signal('STREAK_DAY', { streak_length: 4, active: true }),
      signal('STREAK_DAY', { streak_length: 0, active: false }),
      signal('STREAK_DAY', { streak_length: 1, active: true }),
      signal('QUIZ_ATTEMPTED', { score: 10, max_score: 10 }),
    ].flat()) {
      counters = countersAfter(counters, s)
    }
    expect(counters).toEqual({
      'count:VIDEO_COMPLETED': 2,
      'count:QUIZ_PASSED': 4,
      'count:QUIZ_PASSED:perfect': 1,
      'count:COURSE_COMPLETED': 1,
      'streak:best': 4,
    })
  })

  it('meets thresholds, all and any, and reports progress towards a single threshold', () => {
    const counters = { 'count:VIDEO_COMPLETED': 4, 'streak:best': 7 }
    const fiveVideos = { count: { signal: 'VIDEO_COMPLETED' as const }, gte: 5 }
    const week = { streak: { gte: 7 } }
    expect(meetsCriteria(fiveVideos, counters)).toBe(false)
    expect(meetsCriteria(fiveVideos, { ...counters, 'count:VIDEO_COMPLETED': 5 })).toBe(true)
    expect(meetsCriteria(week, counters)).toBe(true)
    expect(meetsCriteria({ all: [fiveVideos, week] }, counters)).toBe(false)
    expect(meetsCriteria({ any: [fiveVideos, week] }, counters)).toBe(true)
    expect(progressTowards(fiveVideos, counters)).toEqual({ current: 4, target: 5 })
    expect(progressTowards(week, { 'streak:best': 30 })).toEqual({ current: 7, target: 7 })
    expect(progressTowards({ any: [week] }, counters)).toBeNull()
    expect(counterKeysOf({ all: [fiveVideos, week, fiveVideos] })).toEqual([
      'count:VIDEO_COMPLETED',
      'streak:best',
    ])
  })

  it('awards when met while active, else when the badge next becomes active, never while off', () => {
    let periods = setActive([], true, '2026-11-10T00:00:00.000Z')
    periods = setActive(periods, false, '2026-11-20T00:00:00.000Z')
    periods = setActive(periods, false, '2026-11-21T00:00:00.000Z')
    expect(periods).toEqual([{ from: '2026-11-10T00:00:00.000Z', until: '2026-11-20T00:00:00.000Z' }])
    // Met before the badge existed: awarded when it was created.
    expect(awardMoment('2026-11-01T00:00:00.000Z', periods)).toEqual({
      at: '2026-11-10T00:00:00.000Z',
      waited: true,
    })
    expect(awardMoment('2026-11-15T00:00:00.000Z', periods)).toEqual({
      at: '2026-11-15T00:00:00.000Z',
      waited: false,
    })
    expect(awardMoment('2026-11-20T00:00:00.000Z', periods)).toBeNull()
    periods = setActive(periods, true, '2026-11-25T00:00:00.000Z')
    expect(awardMoment('2026-11-22T00:00:00.000Z', periods)).toEqual({
      at: '2026-11-25T00:00:00.000Z',
      waited: true,
    })
    expect(awardMoment('2026-11-26T00:00:00.000Z', periods)?.at).toBe('2026-11-26T00:00:00.000Z')
  })
})
