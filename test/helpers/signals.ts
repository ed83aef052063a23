import type { StoredSignal } from '../../src/core/events/signal-log.ts'

/** A complete payload of each signal type, as its owner writes it; a test overrides what it is about. */
const typical: Record<string, Record<string, unknown>> = {
  VIDEO_COMPLETED: { duration_sec: 60 },
  QUIZ_ATTEMPTED: {
    source: 'native',
    score: 0,
    max_score: 10,
    ratio: 0,
    passed: false,
    attempt: 1,
    results: [],
  },
  QUIZ_PASSED: { score: 8, max_score: 10, ratio: 0.8, attempts: 1 },
  STEP_COMPLETED: { step_index: 0, step_type: 'video' },
  COURSE_COMPLETED: { step_count: 3 },
  STREAK_DAY: { day: '2026-11-22', active: true, frozen: false, streak_length: 1, freezes_held: 0 },
}

/** A payload of this type complete with typical values, for fixtures that state only what they test. */
export function typicalPayload(type: string, payload: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...typical[type], ...payload }
}

/** A stored signal of one student, for the pure rules that read signals (decode it with their contract). */
export function storedSignal(type: string, payload: Record<string, unknown> = {}): StoredSignal {
  return {
    id: `${type}:student-1:subject-1`,
    seq: 1,
    type,
    org_id: 'org-1',
    student_id: 'student-1',
    course_id: 'course-1',
    class_id: 'step-1',
    occurred_at: '2026-11-22T09:00:00.000Z',
    source_event_ids: ['event-1'],
    payload: typicalPayload(type, payload),
  }
}
