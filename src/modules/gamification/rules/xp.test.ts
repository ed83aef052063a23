import { describe, expect, it } from 'vitest'
import { storedSignal } from '../../../../test/helpers/signals.ts'
import { decodeSignals } from '../../../core/events/signal-log.ts'
import { SettingsSchema } from './settings.ts'
import { type XpSignal, xpCausesOf, xpOfSignal, xpSignals } from './xp.ts'

const defaults = SettingsSchema.parse({})

/** A signal as the XP reactor is given it: decoded by its contract. */
function signal(type: string, payload: Record<string, unknown> = {}): XpSignal {
  const [decoded] = decodeSignals(xpSignals, [storedSignal(type, payload)])
  if (!decoded) throw new Error(`${type} is not a signal the XP reactor reads`)
  return decoded
}

const points = (s: XpSignal, settings = defaults) => xpOfSignal(s, settings).map((e) => [e.cause, e.points])

describe('XP of a signal', () => {
  it('pays a completed video, a passed quiz and a completed course their school amounts', () => {
    const settings = SettingsSchema.parse({
      xp: { video_completed: 7, quiz_passed: 30, course_completed: 200 },
    })
    expect(points(signal('VIDEO_COMPLETED'), settings)).toEqual([['video_completed', 7]])
    expect(points(signal('QUIZ_PASSED', { score: 5, max_score: 10, attempts: 1 }), settings)).toEqual([
      ['quiz_passed', 30],
    ])
    expect(points(signal('COURSE_COMPLETED'), settings)).toEqual([['course_completed', 200]])
  })

  it('adds the perfect-quiz bonus only for every point at the first attempt', () => {
    expect(points(signal('QUIZ_PASSED', { score: 10, max_score: 10, attempts: 1 }))).toEqual([
      ['quiz_passed', 50],
      ['perfect_quiz', 25],
    ])
    expect(points(signal('QUIZ_PASSED', { score: 10, max_score: 10, attempts: 2 }))).toEqual([
      ['quiz_passed', 50],
    ])
  })

  it('pays an active streak day, not a day kept by a freeze', () => {
    expect(points(signal('STREAK_DAY', { active: true }))).toEqual([['streak_day', 5]])
    expect(points(signal('STREAK_DAY', { active: false }))).toEqual([])
  })

  it('is given no signal that is not worth XP', () => {
    const unpaid = [storedSignal('QUIZ_ATTEMPTED', { passed: false }), storedSignal('STEP_COMPLETED')]
    expect(decodeSignals(xpSignals, unpaid)).toEqual([])
  })

  it('derives entry ids from the signal, so a replay never pays twice', () => {
    const entries = xpOfSignal(signal('VIDEO_COMPLETED'), defaults)
    expect(entries[0]?.id).toBe('video_completed:VIDEO_COMPLETED:student-1:subject-1')
    expect(xpOfSignal(signal('VIDEO_COMPLETED'), defaults)).toEqual(entries)
  })

  it('names, for each signal type, every cause it can pay: an XP rebuild rewrites exactly those entries', () => {
    const generous = SettingsSchema.parse({ xp: { perfect_quiz: 1, streak_day: 1 } })
    const payloads = { score: 10, max_score: 10, attempts: 1, active: true }
    for (const type of xpSignals.types) {
      const paid = xpOfSignal(signal(type, payloads), generous).map((e) => e.cause)
      expect(paid).toEqual(xpCausesOf(type))
    }
    expect(xpCausesOf('STEP_COMPLETED')).toEqual([])
  })
})
