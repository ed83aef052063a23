// Which students are at risk in a course, and why, as pure rules over what the dashboards load.

export const DAY_MS = 86_400_000

export type RiskThresholds = {
  /** Days without any event in the course (or since enrolment, for a student who never started). */
  inactiveDays: number
  /** Days on the same step without completing it. */
  stuckDays: number
  /** Failed quiz attempts on the current step, without a pass. */
  failures: number
}

export type RiskReason =
  | { code: 'inactive'; last_event_at: string | null; since: string; days: number }
  | { code: 'stuck'; class_id: string; step_index: number; step_name: string; since: string; days: number }
  | {
      code: 'repeated_failures'
      class_id: string
      step_index: number
      failed_attempts: number
      best_ratio: number | null
      last_attempt_at: string | null
    }
  | { code: 'out_of_hearts'; next_heart_at: string | null }

type RiskCode = RiskReason['code']

/**
 * How much each reason weighs in the order of the at-risk list. Inactivity comes first: the student may be
 * gone. Being stuck or failing again and again means struggling while still there. Running out of hearts
 * blocks quizzes only until they come back.
 */
const riskWeights: Record<RiskCode, number> = {
  inactive: 3,
  stuck: 2,
  repeated_failures: 2,
  out_of_hearts: 1,
}

export type PathStep = { id: string; name: string; index: number }

export type StepState = {
  quiz_passed: boolean
  quiz_attempts: number
  quiz_best_ratio: number | null
  quiz_last_attempt_at: string | null
  step_completed_at: string | null
}

/** One student in one course, as the rules need to see them. */
export type StudentInCourse = {
  steps: PathStep[]
  /** By step id; a step the student never acted on is absent. */
  progress: Map<string, StepState>
  /** First event received on each step, by step id. */
  firstActivity: Map<string, string>
  /** Last event received in the course, if any. */
  lastEventAt: string | null
  enrolledAt: string
  publishedAt: string | null
  /** Set when the student has no heart left (gamification). */
  outOfHearts: { next_heart_at: string | null } | null
}

/** The step a student works on: the first one of the path they have not completed (none when all are). */
export function currentStep<T extends PathStep>(steps: T[], progress: Map<string, StepState>): T | null {
  return steps.find((s) => !progress.get(s.id)?.step_completed_at) ?? null
}

const later = (a: string, b: string | null) => (b !== null && b > a ? b : a)
export const wholeDays = (now: Date, since: string) =>
  Math.floor((now.getTime() - Date.parse(since)) / DAY_MS)

/**
 * Why a student is at risk in a course they have not finished (an empty list when they are not, or when
 * they have finished it). Durations are whole periods of 24 hours before `now`.
 * - inactive: no event in the course for `inactiveDays`; a student who never started counts from when the
 *   course became open to them (enrolment, or publication if later).
 * - stuck: on the current step for `stuckDays` without completing it, counted from the completion of the
 *   previous step (or the first activity on the first step); a student who never started is not stuck.
 * - repeated_failures: `failures` failed quiz attempts or more on the current step, and no pass.
 * - out_of_hearts: no heart left to attempt a quiz.
 */
export function riskReasons(student: StudentInCourse, thresholds: RiskThresholds, now: Date): RiskReason[] {
  const step = currentStep(student.steps, student.progress)
  if (!step) return []
  const reasons: RiskReason[] = []

  const idleSince = student.lastEventAt ?? later(student.enrolledAt, student.publishedAt)
  const idleDays = wholeDays(now, idleSince)
  if (idleDays >= thresholds.inactiveDays) {
    reasons.push({ code: 'inactive', last_event_at: student.lastEventAt, since: idleSince, days: idleDays })
  }

  const previous = step.index > 0 ? student.steps[step.index - 1] : undefined
  const onStepSince =
    (previous && student.progress.get(previous.id)?.step_completed_at) ?? student.firstActivity.get(step.id)
  if (onStepSince) {
    const days = wholeDays(now, onStepSince)
    if (days >= thresholds.stuckDays) {
      reasons.push({
        code: 'stuck',
        class_id: step.id,
        step_index: step.index,
        step_name: step.name,
        since: onStepSince,
        days,
      })
    }
  }

  // Until a pass, every attempt on the step failed: progress counts one attempt per QUIZ_ATTEMPTED signal.
  const state = student.progress.get(step.id)
  if (state && !state.quiz_passed && state.quiz_attempts >= thresholds.failures) {
    reasons.push({
      code: 'repeated_failures',
      class_id: step.id,
      step_index: step.index,
      failed_attempts: state.quiz_attempts,
      best_ratio: state.quiz_best_ratio,
      last_attempt_at: state.quiz_last_attempt_at,
    })
  }

  if (student.outOfHearts)
    reasons.push({ code: 'out_of_hearts', next_heart_at: student.outOfHearts.next_heart_at })
  return reasons
}

/** The weight of a list of reasons: the sum of their weights. */
export function severityOf(reasons: RiskReason[]): number {
  return reasons.reduce((sum, r) => sum + riskWeights[r.code], 0)
}

/** The longest run of days among the reasons, to order students of equal severity. */
export function longestDays(reasons: RiskReason[]): number {
  return Math.max(0, ...reasons.map((r) => ('days' in r ? r.days : 0)))
}
