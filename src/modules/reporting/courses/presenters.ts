import type { z } from '@hono/zod-openapi'
import type { DecodedSignal } from '../../../core/events/signal-log.ts'
import type * as catalog from '../../catalog/index.ts'
import type * as progress from '../../progress/index.ts'
import type { CourseAnalyticsSchema, StudentInCourseSchema } from '../schemas.ts'
import { average, round2, type StudentReport, type Thresholds } from '../students-in-courses.ts'

// A course's analytics and one student's page in it as the API shows them.

type CourseAnalytics = z.infer<typeof CourseAnalyticsSchema>
type StudentInCourse = z.infer<typeof StudentInCourseSchema>
type Step = catalog.CourseOutline['steps'][number]

/** One step of the funnel as the service counted it: who reached it, completed it or abandoned there. */
export type StepFunnel = {
  step: Step
  reached: number
  completed: number
  abandoned: number
  /** The attempts of each student who attempted its quiz, and the time of each who completed it. */
  quizAttempts: number[]
  timesSec: number[]
}

const courseHeadView = (course: catalog.CourseOutline) => ({
  id: course.id,
  name: course.name,
  status: course.status,
  step_count: course.steps.length,
})

const progressRatio = (r: StudentReport, stepCount: number) =>
  stepCount === 0 ? 0 : round2(r.done / stepCount)

/** The first address of a person's `emails_json`; null when none or unreadable. */
export const firstEmail = (emailsJson: string | null | undefined) => {
  try {
    const emails = JSON.parse(emailsJson ?? '[]') as { email?: unknown }[]
    const email = emails.find((e) => typeof e.email === 'string')?.email
    return typeof email === 'string' ? email : null
  } catch {
    return null
  }
}

function funnelStepView(f: StepFunnel): CourseAnalytics['funnel'][number] {
  return {
    class_id: f.step.id,
    index: f.step.index,
    name: f.step.name,
    step_type: f.step.step_type,
    reached: f.reached,
    completed: f.completed,
    in_progress: f.reached - f.completed - f.abandoned,
    abandoned: f.abandoned,
    abandoned_ratio: f.reached === 0 ? 0 : round2(f.abandoned / f.reached),
    average_quiz_attempts: average(f.quizAttempts),
    average_time_sec: average(f.timesSec),
  }
}

function quizScoresOf(course: catalog.CourseOutline, r: StudentReport) {
  return course.steps.flatMap((step) => {
    const row = r.progress.get(step.id)
    if (!row || row.quiz_attempts === 0) return []
    return [
      {
        class_id: step.id,
        step_index: step.index,
        best_ratio: row.quiz_best_ratio,
        score: row.quiz_score,
        max_score: row.quiz_max_score,
        attempts: row.quiz_attempts,
        passed: row.quiz_passed,
      },
    ]
  })
}

function analyticsStudentView(
  course: catalog.CourseOutline,
  r: StudentReport,
  name: string | null,
): CourseAnalytics['students']['entries'][number] {
  return {
    student_id: r.student_id,
    name,
    enrolled_at: r.enrolled_at,
    completed_steps: r.done,
    progress_ratio: progressRatio(r, course.steps.length),
    completed: r.status === 'completed',
    status: r.status,
    time_spent_sec: r.timeSpentSec,
    current_step: r.current ? { class_id: r.current.id, index: r.current.index, name: r.current.name } : null,
    last_event_at: r.lastEventAt,
    quiz_scores: quizScoresOf(course, r),
    severity: r.severity,
    at_risk: r.reasons,
  }
}

/** What a course's analytics gathered: its students in the order shown, and the page asked for. */
type CourseAnalyticsFacts = {
  now: Date
  thresholds: Thresholds
  abandonedDays: number
  course: catalog.CourseOutline
  funnel: StepFunnel[]
  reports: StudentReport[]
  page: StudentReport[]
  names: Map<string, string | null>
}

export function courseAnalyticsView(facts: CourseAnalyticsFacts): CourseAnalytics {
  const { course, reports, thresholds } = facts
  return {
    generated_at: facts.now.toISOString(),
    thresholds: {
      inactive_days: thresholds.inactive_days,
      stuck_days: thresholds.stuck_days,
      failures: thresholds.failures,
    },
    abandoned_days: facts.abandonedDays,
    course: courseHeadView(course),
    enrolled: reports.length,
    completed: reports.filter((r) => r.status === 'completed').length,
    abandoned: reports.filter((r) => r.status === 'abandoned').length,
    funnel: facts.funnel.map(funnelStepView),
    students: {
      total: reports.length,
      entries: facts.page.map((r) => analyticsStudentView(course, r, facts.names.get(r.student_id) ?? null)),
    },
  }
}

function stepView(r: StudentReport, step: Step): StudentInCourse['steps'][number] {
  const row = r.progress.get(step.id)
  const completedAt = row?.step_completed_at ?? null
  const derived = r.steps.get(step.id)
  const state = completedAt ? 'done' : r.current?.id === step.id ? 'current' : 'locked'
  return {
    class_id: step.id,
    index: step.index,
    name: step.name,
    step_type: step.step_type,
    state,
    opened_at: state === 'locked' ? null : (derived?.openedAt ?? null),
    completed_at: completedAt,
    time_sec: derived?.timeSec ?? null,
    quiz:
      row && row.quiz_attempts > 0
        ? { attempts: row.quiz_attempts, best_ratio: row.quiz_best_ratio, passed: row.quiz_passed }
        : null,
  }
}

/** The student's attempts at the course's quizzes, in the order they came; those of no known step are left out. */
function attemptViews(course: catalog.CourseOutline, signals: DecodedSignal<progress.QuizAttemptedBody>[]) {
  const indexOf = new Map(course.steps.map((s) => [s.id, s.index]))
  return signals.flatMap((sig) => {
    const index = sig.class_id ? indexOf.get(sig.class_id) : undefined
    if (!sig.class_id || index === undefined) return []
    const p = sig.payload
    return [
      {
        class_id: sig.class_id,
        step_index: index,
        attempt: p.attempt,
        at: sig.occurred_at,
        score: p.score,
        max_score: p.max_score,
        ratio: p.ratio,
        passed: p.passed,
      },
    ]
  })
}

/** What one student's page in a course gathered. */
type StudentInCourseFacts = {
  now: Date
  abandonedDays: number
  course: catalog.CourseOutline
  report: StudentReport
  person: { name: string | null; emails_json: string | null } | undefined
  teams: { id: string; name: string }[]
  /** Their quiz attempts in this course. */
  attempts: DecodedSignal<progress.QuizAttemptedBody>[]
  /** Their mastery of the course; undefined until they answered one of its questions. */
  courseMastery: NonNullable<StudentInCourse['mastery']['course']> | undefined
  skills: StudentInCourse['mastery']['skills']
}

export function studentInCourseView(facts: StudentInCourseFacts): StudentInCourse {
  const { course, report: r, courseMastery: mastery } = facts
  return {
    generated_at: facts.now.toISOString(),
    abandoned_days: facts.abandonedDays,
    course: courseHeadView(course),
    student: {
      id: r.student_id,
      name: facts.person?.name ?? null,
      email: firstEmail(facts.person?.emails_json),
    },
    teams: facts.teams,
    enrolled_at: r.enrolled_at,
    status: r.status,
    completed_steps: r.done,
    progress_ratio: progressRatio(r, course.steps.length),
    time_spent_sec: r.timeSpentSec,
    last_event_at: r.lastEventAt,
    steps: course.steps.map((step) => stepView(r, step)),
    attempts: attemptViews(course, facts.attempts),
    mastery: {
      course: mastery ? { score: mastery.score, level: mastery.level, questions: mastery.questions } : null,
      skills: facts.skills,
    },
    at_risk: r.reasons,
  }
}
