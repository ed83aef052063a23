import { describe, expect, it } from 'vitest'
import {
  currentStep,
  longestDays,
  type RiskThresholds,
  riskReasons,
  type StepState,
  type StudentInCourse,
  severityOf,
} from './at-risk.ts'

const steps = [
  { id: 's0', name: 'Read', index: 0 },
  { id: 's1', name: 'Quiz', index: 1 },
]
const thresholds: RiskThresholds = { inactiveDays: 7, stuckDays: 7, failures: 3 }
const now = new Date('2026-11-30T12:00:00.000Z')
const state = (patch: Partial<StepState> = {}): StepState => ({
  quiz_passed: false,
  quiz_attempts: 0,
  quiz_best_ratio: null,
  quiz_last_attempt_at: null,
  step_completed_at: null,
  ...patch,
})
const student = (patch: Partial<StudentInCourse> = {}): StudentInCourse => ({
  steps,
  progress: new Map(),
  firstActivity: new Map(),
  lastEventAt: null,
  enrolledAt: '2026-11-01T00:00:00.000Z',
  publishedAt: '2026-11-10T00:00:00.000Z',
  outOfHearts: null,
  ...patch,
})

describe('at-risk rules', () => {
  it('finds the current step: the first one not completed, none once all are', () => {
    const done = new Map([['s0', state({ step_completed_at: '2026-11-20T00:00:00.000Z' })]])
    expect(currentStep(steps, done)?.id).toBe('s1')
    done.set('s1', state({ step_completed_at: '2026-11-21T00:00:00.000Z' }))
    expect(currentStep(steps, done)).toBeNull()
    expect(
      riskReasons(student({ progress: done, outOfHearts: { next_heart_at: null } }), thresholds, now),
    ).toEqual([])
  })

  it('counts a student who never started from when the course opened to them, at full days only', () => {
    // Published on the 10th, after enrolment: 20 days.
    expect(riskReasons(student(), thresholds, now)).toEqual([
      { code: 'inactive', last_event_at: null, since: '2026-11-10T00:00:00.000Z', days: 20 },
    ])
    expect(riskReasons(student({ publishedAt: '2026-11-23T12:00:01.000Z' }), thresholds, now)).toEqual([])
    expect(riskReasons(student({ publishedAt: '2026-11-23T12:00:00.000Z' }), thresholds, now)).toMatchObject([
      { code: 'inactive', days: 7 },
    ])
  })

  it('is stuck on a step from the completion of the previous one, active or not', () => {
    const progress = new Map([['s0', state({ step_completed_at: '2026-11-22T00:00:00.000Z' })]])
    const reasons = riskReasons(
      student({ progress, lastEventAt: '2026-11-29T00:00:00.000Z' }),
      thresholds,
      now,
    )
    expect(reasons).toEqual([
      {
        code: 'stuck',
        class_id: 's1',
        step_index: 1,
        step_name: 'Quiz',
        since: '2026-11-22T00:00:00.000Z',
        days: 8,
      },
    ])
  })

  it('is stuck on the first step from the first activity on it', () => {
    const started = student({
      progress: new Map([['s0', state()]]),
      firstActivity: new Map([['s0', '2026-11-20T00:00:00.000Z']]),
      lastEventAt: '2026-11-29T00:00:00.000Z',
    })
    expect(riskReasons(started, thresholds, now)).toMatchObject([{ code: 'stuck', class_id: 's0', days: 10 }])
  })

  it('counts failed attempts on the current step until the quiz is passed', () => {
    const progress = (attempts: number, passed = false) =>
      new Map([
        ['s0', state({ step_completed_at: '2026-11-29T00:00:00.000Z' })],
        ['s1', state({ quiz_attempts: attempts, quiz_passed: passed, quiz_best_ratio: 0.4 })],
      ])
    const at = (p: Map<string, StepState>) =>
      riskReasons(student({ progress: p, lastEventAt: '2026-11-30T00:00:00.000Z' }), thresholds, now)
    expect(at(progress(2))).toEqual([])
    expect(at(progress(3))).toMatchObject([
      { code: 'repeated_failures', failed_attempts: 3, best_ratio: 0.4 },
    ])
    // Passed (a video_quiz step whose video is still to finish): no longer failing.
    expect(at(progress(4, true))).toEqual([])
  })

  it('weighs inactivity above struggling, and struggling above running out of hearts', () => {
    const inactive = riskReasons(student(), thresholds, now)
    const hearts = riskReasons(
      student({ lastEventAt: '2026-11-30T00:00:00.000Z', outOfHearts: { next_heart_at: null } }),
      thresholds,
      now,
    )
    expect(hearts).toEqual([{ code: 'out_of_hearts', next_heart_at: null }])
    expect(severityOf(inactive)).toBeGreaterThan(severityOf(hearts))
    expect(longestDays(inactive)).toBe(20)
    expect(longestDays(hearts)).toBe(0)
  })
})
