export type GamificationSettingsRow = {
  org_id: string
  settings_json: string
  updated_at: string
}

/** Why XP was given. Each reactor owns its causes: it writes and, on rebuild, deletes only those. */
export const xpCauses = [
  'video_completed',
  'quiz_passed',
  'perfect_quiz',
  'course_completed',
  'streak_day',
  'badge',
] as const
export type XpCause = (typeof xpCauses)[number]

export type XpLedgerRow = {
  /** `<cause>:<subject_id>`: one entry per cause and subject, whoever writes it and however often. */
  id: string
  org_id: string
  student_id: string
  cause: XpCause
  /** What the XP is for: a signal id, a badge award id, a streak day. */
  subject_id: string
  points: number
  occurred_at: string
  created_at: string
}

export type GamificationTables = {
  gamification_settings: GamificationSettingsRow
  xp_ledger: XpLedgerRow
}
