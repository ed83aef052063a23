import type { StepContext, TrackingEvent } from '../../tracking/index.ts'
import type { SignalType, UserProgressRow } from '../tables.ts'
import { creditPing, videoWatched } from './video-credit.ts'

// The progress projection as a pure function: one student's progress on one step, evolved event by event,
// and the signals that a change of state produces. Same events in, same rows and signals out.

export type StepProgress = Omit<UserProgressRow, 'last_seq'> & { last_seq: number }

export type SignalDraft = {
  id: string
  type: SignalType
  org_id: string
  student_id: string
  course_id: string
  class_id: string | null
  occurred_at: string
  source_event_ids: string[]
  payload: Record<string, unknown>
}

/** Signals have ids derived from what they are about, so a replay or a retry can never emit one twice. */
export function signalId(type: SignalType, studentId: string, subjectId: string): string {
  return `${type}:${studentId}:${subjectId}`
}

function initial(event: TrackingEvent, context: StepContext): StepProgress {
  return {
    org_id: event.org_id,
    student_id: event.student_id,
    course_id: event.course_id,
    class_id: event.class_id ?? '',
    step_index: context.step_index,
    video_started_at: null,
    video_max_position_sec: 0,
    video_duration_sec: context.duration_sec,
    video_completed: 0,
    video_completed_at: null,
    quiz_passed: 0,
    quiz_score: null,
    quiz_max_score: null,
    quiz_best_ratio: null,
    quiz_attempts: 0,
    quiz_last_attempt_at: null,
    quiz_passed_at: null,
    acknowledged_at: null,
    step_completed_at: null,
    skip_attempts: 0,
    last_seq: 0,
    updated_at: event.received_at,
  }
}

function stepDone(state: StepProgress, type: StepContext['step_type']): boolean {
  switch (type) {
    case 'video':
      return state.video_completed === 1
    case 'quiz':
      return state.quiz_passed === 1
    case 'video_quiz':
      return state.video_completed === 1 && state.quiz_passed === 1
    case 'reading':
      return state.acknowledged_at !== null
  }
}

export function evolve(
  previous: StepProgress | null,
  event: TrackingEvent,
): { state: StepProgress; signals: SignalDraft[] } {
  const { context } = event
  const state: StepProgress = {
    ...(previous ?? initial(event, context)),
    last_seq: event.seq,
    updated_at: event.received_at,
  }
  const signals: SignalDraft[] = []
  const signal = (type: SignalType, subject: string, payload: Record<string, unknown>) =>
    signals.push({
      id: signalId(type, event.student_id, subject),
      type,
      org_id: event.org_id,
      student_id: event.student_id,
      course_id: event.course_id,
      class_id: type === 'COURSE_COMPLETED' ? null : event.class_id,
      occurred_at: event.received_at,
      source_event_ids: [event.id],
      payload,
    })
  const classId = event.class_id ?? ''

  if (event.type === 'VIDEO_PING' && state.video_completed === 0 && context.duration_sec) {
    const ping = event.payload
    const credit = creditPing(
      { startedAt: state.video_started_at, credited: state.video_max_position_sec },
      { positionSec: ping.position_sec, receivedAt: event.received_at },
      {
        durationSec: context.duration_sec,
        maxPlaybackRate: context.max_playback_rate,
        toleranceSec: context.skip_tolerance_sec,
      },
    )
    state.video_started_at = credit.startedAt
    state.video_max_position_sec = credit.credited
    state.video_duration_sec = context.duration_sec
    if (credit.skipped) state.skip_attempts += 1
    if (videoWatched(credit.credited, context.duration_sec, context.completion_threshold)) {
      state.video_completed = 1
      state.video_completed_at = event.received_at
      signal('VIDEO_COMPLETED', classId, { duration_sec: context.duration_sec })
    }
  }

  if (event.type === 'QUIZ_SUBMIT') {
    const quiz = event.payload
    state.quiz_attempts += 1
    state.quiz_last_attempt_at = event.received_at
    if (state.quiz_best_ratio === null || quiz.ratio > state.quiz_best_ratio) {
      state.quiz_best_ratio = quiz.ratio
      state.quiz_score = quiz.score
      state.quiz_max_score = quiz.max_score
    }
    signal('QUIZ_ATTEMPTED', event.id, {
      source: quiz.source,
      score: quiz.score,
      max_score: quiz.max_score,
      ratio: quiz.ratio,
      passed: quiz.passed,
      attempt: state.quiz_attempts,
      results: quiz.results,
    })
    if (quiz.passed && state.quiz_passed === 0) {
      state.quiz_passed = 1
      state.quiz_passed_at = event.received_at
      signal('QUIZ_PASSED', classId, {
        score: quiz.score,
        max_score: quiz.max_score,
        ratio: quiz.ratio,
        attempts: state.quiz_attempts,
      })
    }
  }

  if (event.type === 'STEP_ACK' && state.acknowledged_at === null) state.acknowledged_at = event.received_at

  if (state.step_completed_at === null && stepDone(state, context.step_type)) {
    state.step_completed_at = event.received_at
    signal('STEP_COMPLETED', classId, { step_index: context.step_index, step_type: context.step_type })
    if (context.step_index === context.step_count - 1) {
      signal('COURSE_COMPLETED', event.course_id, { step_count: context.step_count })
    }
  }
  return { state, signals }
}
