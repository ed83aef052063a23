type GamificationSettingsRow = {
  org_id: string
  settings_json: string
  updated_at: string
}

/** Why XP was given. Each reactor owns its causes: it writes and, on rebuild, deletes only those. */
const xpCauses = [
  'video_completed',
  'quiz_passed',
  'perfect_quiz',
  'course_completed',
  'streak_day',
  'badge',
] as const
export type XpCause = (typeof xpCauses)[number]

type XpLedgerRow = {
  /** `<cause>:<subject_id>`: one entry per cause and subject, whoever writes it and however often. */
  id: string
  org_id: string
  student_id: string
  cause: XpCause
  /** What the XP is for: a signal id, a badge award id, a streak day. */
  subject_id: string
  points: number
  occurred_at: string
  /** The local date (YYYY-MM-DD) of the Monday starting the entry's week, in the school's time zone. */
  week: string
  created_at: string
}

/** A badge a school offers. Admins own these rows: a rebuild of the badges reactor keeps them. */
export type BadgeRow = {
  /** `<org_id>:<code>`: the same badge gets the same id in every run, defaults included. */
  id: string
  org_id: string
  code: string
  /**
   * The translation key of a default badge Sillon named (its code): front ends show its name and description
   * in the reader's language. Null for the school's own badges and for default badges it renamed.
   */
  key: string | null
  name: string
  description: string | null
  icon: string | null
  /** The badge criteria (rules/badge-criteria.ts). */
  criteria_json: string
  points_reward: number
  /** 0/1: whether it is awarded now (the last of `active_periods_json` is open). */
  active: number
  /** When the badge was awarded, `[{ from, until }]` (until null: still active); see rules/badge-criteria.ts. */
  active_periods_json: string
  created_at: string
  updated_at: string
}

/** A badge a student earned; one per badge and student. */
export type AwardRow = {
  /** `<badge_id>:<student_id>`. */
  id: string
  org_id: string
  badge_id: string
  student_id: string
  awarded_at: string
  /** The signal that met the criteria, or null when the award waited for the badge to become active. */
  source_signal_id: string | null
  points: number
}

/** A per-student counter the badges reactor keeps (videos completed, best streak...); they only grow. */
export type CounterRow = {
  org_id: string
  student_id: string
  key: string
  value: number
}

/** A student's leaderboard row: the sum of their XP ledger and the number of badges they hold. */
type ScoreRow = {
  org_id: string
  student_id: string
  total_points: number
  badges_count: number
}

/** A student's XP of one week (the weekly leaderboard), kept with the XP ledger. */
type WeekScoreRow = {
  org_id: string
  /** As `xp_ledger.week`. */
  week: string
  student_id: string
  total_points: number
}

/**
 * How many students of a school have `total_points` on a board: `all` (gamification_score) or a week
 * (`xp_ledger.week`, gamification_week_score). Totals, ranks and deep pages read it instead of counting
 * students. Rows may be left at 0 students until the next rebuild.
 */
type ScoreHistogramRow = {
  org_id: string
  board: string
  total_points: number
  students: number
}

export type GamificationTables = {
  gamification_settings: GamificationSettingsRow
  xp_ledger: XpLedgerRow
  gamification_badge: BadgeRow
  gamification_award: AwardRow
  gamification_counter: CounterRow
  gamification_score: ScoreRow
  gamification_week_score: WeekScoreRow
  gamification_score_histogram: ScoreHistogramRow
  gamification_activity_day: ActivityDayRow
  v_streak_history: StreakHistoryRow
  gamification_streak: StreakRow
  hearts: HeartsRow
  gamification_xp_rebuild: XpRebuildRow
}

const xpRebuildStatuses = ['queued', 'running', 'done', 'failed'] as const
type XpRebuildStatus = (typeof xpRebuildStatuses)[number]

/**
 * One replay of a school's signals at its current XP amounts (asked from the settings page), with its
 * progress. It rewrites what the XP reactor wrote for the school's signals up to `target_seq`, the reactor's
 * checkpoint when it started; the reactor pays later signals at the current amounts itself.
 */
export type XpRebuildRow = {
  id: string
  org_id: string
  /** 1, 2, 3... per school: the latest run has the highest. */
  number: number
  status: XpRebuildStatus
  /** Null until the run starts. */
  target_seq: number | string | null
  /** The last signal rewritten: a retry resumes after it. */
  cursor_seq: number | string
  /** The school's signals that give XP, up to `target_seq`. */
  total: number
  processed: number
  requested_at: string
  started_at: string | null
  finished_at: string | null
  /** Moves at each batch: a queued or running run that stops moving was abandoned by its process. */
  updated_at: string
  error: string | null
}

/** A day (YYYY-MM-DD, school time zone) on which a student did something that counts for their streak. */
export type ActivityDayRow = {
  org_id: string
  student_id: string
  day: string
}

/** One closed day of a student's streak, as its STREAK_DAY signal says (0/1 flags). */
export type StreakHistoryRow = {
  org_id: string
  student_id: string
  day: string
  active: number
  frozen: number
  streak_length: number
  freezes_held: number
}

/** Where a student's streak stood at the last closed day. */
export type StreakRow = {
  org_id: string
  student_id: string
  last_closed_day: string
  streak_length: number
  longest: number
  freezes_held: number
  last_active_day: string | null
  /** The instant the last closed day ended (the STREAK_DAY signal's time). */
  updated_at: string
}

/** A student's hearts as of `updated_at`; regeneration since then is computed at read. */
export type HeartsRow = {
  org_id: string
  student_id: string
  hearts: number
  max_hearts: number
  /** When the regeneration period in progress started; null when full. */
  refill_anchor_at: string | null
  /** The time of the last signal applied (never "now": replays give the same rows). */
  updated_at: string
  /** The last failed quiz attempt (event id) applied: the quiz gate counts those after it from the log. */
  last_attempt_event_id: string | null
}
