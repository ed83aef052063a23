import type { z } from '@hono/zod-openapi'
import type * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import * as progress from '../progress/index.ts'
import type { ReportingDeps } from './deps.ts'
import { stepActivity } from './repository.ts'
import {
  currentStep,
  longestDays,
  type RiskReason,
  type RiskThresholds,
  riskReasons,
  severityOf,
} from './rules/at-risk.ts'
import { type StudentStatus, stepOpenedAt, studentStatus, timeOnStepSec } from './rules/time-and-status.ts'
import type { OverviewQuery } from './schemas.ts'

// Each enrolled student in a course as staff's dashboards see them (the overview, the course reports, a
// student's recap): their progress, their activity, why they are at risk, and what the reports derive.

export type Thresholds = Pick<z.infer<typeof OverviewQuery>, 'inactive_days' | 'stuck_days' | 'failures'>

export const thresholdsOf = (q: Thresholds): RiskThresholds => ({
  inactiveDays: q.inactive_days,
  stuckDays: q.stuck_days,
  failures: q.failures,
})

/** One enrolled student in one course: their progress, their activity and why they are at risk. */
export type StudentInCourseView = {
  course: catalog.CourseOutline
  student_id: string
  enrolled_at: string
  progress: Map<string, progress.CourseProgressEntry>
  firstActivity: Map<string, string>
  lastEventAt: string | null
  reasons: RiskReason[]
  severity: number
}

type Enrolment = { course_id: string; student_id: string; enrolled_at: string }

/**
 * Every enrolment of these courses (of one student, with `studentId`) with what the students did, from
 * progress, the event log and gamification. At-risk reasons are given for published courses only: nobody
 * is expected to move in a draft, nor in an archived course.
 */
export async function studentsInCourses(
  deps: ReportingDeps,
  orgId: string,
  courses: catalog.CourseOutline[],
  enrolments: Enrolment[],
  thresholds: RiskThresholds,
  studentId?: string,
): Promise<StudentInCourseView[]> {
  const ids = courses.map((c) => c.id)
  const [rows, activity, hearts] = await Promise.all([
    progress.progressOfCourses(deps.progress, orgId, ids, studentId),
    stepActivity(deps.db, orgId, ids, studentId),
    deps.outOfHearts ? deps.outOfHearts(orgId) : [],
  ])
  const progressOf = new Map<string, Map<string, progress.CourseProgressEntry>>()
  for (const row of rows) {
    const key = `${row.student_id}|${row.course_id}`
    const steps = progressOf.get(key) ?? new Map()
    steps.set(row.class_id, row)
    progressOf.set(key, steps)
  }
  const firstOf = new Map<string, Map<string, string>>()
  const lastOf = new Map<string, string>()
  for (const a of activity) {
    const key = `${a.student_id}|${a.course_id}`
    if (a.class_id) {
      const steps = firstOf.get(key) ?? new Map()
      steps.set(a.class_id, a.first_at)
      firstOf.set(key, steps)
    }
    const last = lastOf.get(key)
    if (!last || a.last_at > last) lastOf.set(key, a.last_at)
  }
  const heartsOf = new Map(hearts.map((h) => [h.student_id, h]))
  const courseOf = new Map(courses.map((c) => [c.id, c]))
  const now = deps.clock.now()
  const views: StudentInCourseView[] = []
  for (const e of enrolments) {
    if (studentId && e.student_id !== studentId) continue
    const course = courseOf.get(e.course_id)
    if (!course) continue
    const key = `${e.student_id}|${e.course_id}`
    const view = {
      course,
      student_id: e.student_id,
      enrolled_at: e.enrolled_at,
      progress: progressOf.get(key) ?? new Map<string, progress.CourseProgressEntry>(),
      firstActivity: firstOf.get(key) ?? new Map<string, string>(),
      lastEventAt: lastOf.get(key) ?? null,
    }
    const heart = heartsOf.get(e.student_id)
    const reasons =
      course.status === 'published'
        ? riskReasons(
            {
              ...view,
              steps: course.steps,
              enrolledAt: e.enrolled_at,
              publishedAt: course.published_at,
              outOfHearts: heart ? { next_heart_at: heart.next_heart_at } : null,
            },
            thresholds,
            now,
          )
        : []
    views.push({ ...view, reasons, severity: severityOf(reasons) })
  }
  return views
}

/** Most severe first; then the longest run of days; then by `tieBreak`. */
export function bySeverity<T extends { severity: number; reasons: RiskReason[] }>(
  tieBreak: (a: T, b: T) => number,
) {
  return (a: T, b: T) =>
    b.severity - a.severity || longestDays(b.reasons) - longestDays(a.reasons) || tieBreak(a, b)
}

export async function studentNames(deps: ReportingDeps, orgId: string, studentIds: string[]) {
  const people = await identity.peopleByIds(deps.identity, orgId, 'lms_student', studentIds)
  return new Map(people.map((p) => [p.id, p.name]))
}

export const round2 = (n: number) => Math.round(n * 100) / 100

export const average = (values: number[]) =>
  values.length === 0 ? null : round2(values.reduce((sum, v) => sum + v, 0) / values.length)

/** What the course reports derive for one enrolled student: steps done, time on each step, status. */
export type StudentReport = StudentInCourseView & {
  done: number
  current: catalog.CourseOutline['steps'][number] | null
  status: StudentStatus
  /** By step id: when it opened and the time spent on it (null when not completed or unknown). */
  steps: Map<string, { openedAt: string | null; timeSec: number | null }>
  timeSpentSec: number
}

export function reportOf(view: StudentInCourseView, abandonedDays: number, now: Date): StudentReport {
  const { course } = view
  const steps = new Map<string, { openedAt: string | null; timeSec: number | null }>()
  let done = 0
  let timeSpentSec = 0
  for (const step of course.steps) {
    const completedAt = view.progress.get(step.id)?.step_completed_at ?? null
    if (completedAt) done += 1
    const openedAt = stepOpenedAt(course.steps, step, view.progress, view.firstActivity)
    const timeSec = timeOnStepSec(step.step_type, openedAt, completedAt)
    if (timeSec !== null) timeSpentSec += timeSec
    steps.set(step.id, { openedAt, timeSec })
  }
  const status = studentStatus(
    {
      courseStatus: course.status,
      stepCount: course.steps.length,
      completedSteps: done,
      lastEventAt: view.lastEventAt,
    },
    abandonedDays,
    now,
  )
  return {
    ...view,
    done,
    current: currentStep(course.steps, view.progress),
    status,
    steps,
    timeSpentSec: round2(timeSpentSec),
  }
}
