export type UserProgressRow = {
  org_id: string
  student_id: string
  course_id: string
  class_id: string
  step_index: number
  video_started_at: string | null
  video_max_position_sec: number
  video_duration_sec: number | null
  video_completed: number
  video_completed_at: string | null
  quiz_passed: number
  quiz_score: number | null
  quiz_max_score: number | null
  quiz_best_ratio: number | null
  quiz_attempts: number
  quiz_last_attempt_at: string | null
  quiz_passed_at: string | null
  acknowledged_at: string | null
  step_completed_at: string | null
  skip_attempts: number
  last_seq: number | string
  updated_at: string
}

/** The signals progress derives from events. QUIZ_ATTEMPTED is one per attempt, the others once per subject. */
export const signalTypes = [
  'VIDEO_COMPLETED',
  'QUIZ_ATTEMPTED',
  'QUIZ_PASSED',
  'STEP_COMPLETED',
  'COURSE_COMPLETED',
] as const
export type SignalType = (typeof signalTypes)[number]

export type ProgressTables = {
  v_user_progress: UserProgressRow
}
