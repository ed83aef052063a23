import { describe, expect, it } from 'vitest'
import { decodeEvent } from '../../../core/events/event-store.ts'
import { type StepContext, type TrackingEvent, trackingEvents } from '../../tracking/index.ts'
import { evolve, type SignalDraft, type StepProgress } from './evolve.ts'

const start = Date.UTC(2026, 10, 22, 9, 0, 0)
const at = (seconds: number) => new Date(start + seconds * 1000).toISOString()

function context(overrides: Partial<StepContext> = {}): StepContext {
  return {
    step_type: 'video',
    step_index: 0,
    step_count: 3,
    duration_sec: 60,
    max_playback_rate: 2,
    completion_threshold: 0.9,
    pass_threshold: 0.7,
    skip_tolerance_sec: 10,
    ...overrides,
  }
}

let seq = 0
function event(
  type: 'VIDEO_PING' | 'QUIZ_SUBMIT' | 'STEP_ACK',
  seconds: number,
  payload: Record<string, unknown>,
  stepContext: StepContext,
): TrackingEvent {
  seq += 1
  return decodeEvent(trackingEvents, {
    id: `event-${seq}`,
    org_id: 'org-1',
    type,
    version: type === 'VIDEO_PING' ? 2 : 1,
    student_id: 'student-1',
    course_id: 'course-1',
    class_id: 'step-1',
    occurred_at: at(seconds),
    received_at: at(seconds),
    seq,
    payload,
    context: stepContext,
  })
}

const ping = (seconds: number, position: number, ctx: StepContext) =>
  event('VIDEO_PING', seconds, { position_sec: position, playback_rate: 1, client_duration_sec: null }, ctx)

const quiz = (seconds: number, score: number, passed: boolean, ctx: StepContext) =>
  event(
    'QUIZ_SUBMIT',
    seconds,
    { source: 'native', score, max_score: 10, ratio: score / 10, passed, results: [], answers: {} },
    ctx,
  )

/** Folds events through `evolve` as the projector does, collecting every signal emitted on the way. */
function fold(events: TrackingEvent[]): { state: StepProgress | null; signals: SignalDraft[] } {
  let state: StepProgress | null = null
  const signals: SignalDraft[] = []
  for (const e of events) {
    const next = evolve(state, e)
    state = next.state
    signals.push(...next.signals)
  }
  return { state, signals }
}

describe('evolve (progress on one step)', () => {
  it('completes a video step once enough was watched in real time, and says so once', () => {
    const ctx = context()
    const pings = [0, 15, 30, 45, 55, 60].map((s) => ping(s, s, ctx))
    const { state, signals } = fold([...pings, ping(61, 60, ctx)])
    expect(state?.video_completed).toBe(1)
    expect(state?.video_completed_at).toBe(at(55))
    expect(state?.step_completed_at).toBe(at(55))
    expect(signals.map((s) => s.type)).toEqual(['VIDEO_COMPLETED', 'STEP_COMPLETED'])
    expect(signals[0]?.id).toBe('VIDEO_COMPLETED:student-1:step-1')
  })

  it('does not credit a jump ahead, and counts it as a skip attempt', () => {
    const ctx = context()
    const { state, signals } = fold([ping(0, 0, ctx), ping(5, 5, ctx), ping(6, 58, ctx)])
    expect(state?.video_completed).toBe(0)
    expect(state?.video_max_position_sec).toBeLessThan(58)
    expect(state?.skip_attempts).toBe(1)
    expect(signals).toEqual([])
  })

  it('counts quiz attempts, keeps the best score, and passes once even when passed again', () => {
    const ctx = context({ step_type: 'quiz', duration_sec: null })
    const { state, signals } = fold([quiz(0, 4, false, ctx), quiz(10, 9, true, ctx), quiz(20, 8, true, ctx)])
    expect(state?.quiz_attempts).toBe(3)
    expect(state?.quiz_score).toBe(9)
    expect(state?.quiz_best_ratio).toBe(0.9)
    expect(state?.quiz_passed_at).toBe(at(10))
    expect(signals.map((s) => s.type)).toEqual([
      'QUIZ_ATTEMPTED',
      'QUIZ_ATTEMPTED',
      'QUIZ_PASSED',
      'STEP_COMPLETED',
      'QUIZ_ATTEMPTED',
    ])
    const passed = signals.find((s) => s.type === 'QUIZ_PASSED')
    expect(passed?.payload).toMatchObject({ attempts: 2, ratio: 0.9 })
  })

  it('completes a video-and-quiz step only when both parts are done, whatever their order', () => {
    const ctx = context({ step_type: 'video_quiz' })
    const quizFirst = fold([quiz(0, 10, true, ctx)])
    expect(quizFirst.state?.step_completed_at).toBeNull()
    const both = fold([quiz(0, 10, true, ctx), ...[0, 20, 40, 55].map((s) => ping(s + 1, s, ctx))])
    expect(both.state?.step_completed_at).toBe(at(56))
    expect(both.signals.filter((s) => s.type === 'STEP_COMPLETED')).toHaveLength(1)
  })

  it('completes a reading step at the first acknowledgement only', () => {
    const ctx = context({ step_type: 'reading', duration_sec: null })
    const { state, signals } = fold([event('STEP_ACK', 5, {}, ctx), event('STEP_ACK', 9, {}, ctx)])
    expect(state?.acknowledged_at).toBe(at(5))
    expect(signals.map((s) => s.type)).toEqual(['STEP_COMPLETED'])
  })

  it('completes the course with the last step, with a course-level signal', () => {
    const ctx = context({ step_type: 'reading', duration_sec: null, step_index: 2, step_count: 3 })
    const { signals } = fold([event('STEP_ACK', 0, {}, ctx)])
    expect(signals.map((s) => [s.type, s.class_id])).toEqual([
      ['STEP_COMPLETED', 'step-1'],
      ['COURSE_COMPLETED', null],
    ])
    expect(signals[1]?.id).toBe('COURSE_COMPLETED:student-1:course-1')
  })

  it('gives the same state and signals when the same events are replayed', () => {
    const ctx = context({ step_type: 'video_quiz' })
    const events = [
      quiz(0, 3, false, ctx),
      ...[0, 20, 40, 55].map((s) => ping(s + 1, s, ctx)),
      quiz(70, 8, true, ctx),
    ]
    expect(fold(events)).toEqual(fold(events))
  })
})
