import type { z } from '@hono/zod-openapi'
import type { MemberIdentity } from '../../../core/http/access.ts'
import { forbidden, notFound } from '../../../core/http/errors.ts'
import * as catalog from '../../catalog/index.ts'
import * as identity from '../../identity/index.ts'
import * as progress from '../../progress/index.ts'
import type { ReportingDeps } from '../deps.ts'
import type { DashboardQuery } from '../schemas.ts'
import { reportOf, studentsInCourses, thresholdsOf } from '../students-in-courses.ts'
import { courseRecapView, studentDashboardView } from './presenters.ts'

// What students see of their own learning: their dashboard, and the recap of a course they finished.

/**
 * The signed-in student's home: their courses with progress and the next step, their game (XP, level,
 * streak and its calendar, hearts, recent badges) and their skills. Only members with a student profile
 * have one.
 */
export async function studentDashboard(
  deps: ReportingDeps,
  actor: MemberIdentity,
  query: z.infer<typeof DashboardQuery>,
) {
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  if (!studentId) throw forbidden('This view is for students', 'not_a_student')
  const [courses, game, skills] = await Promise.all([
    progress.learnerCourses({ ...deps.progress, catalog: deps.catalog }, actor.orgId, studentId),
    deps.dashboardGamification(actor.orgId, studentId, query.days),
    deps.dashboardSkills(actor.orgId, studentId),
  ])
  // Courses still to do come first (in enrolment order), finished ones after: the next step is what counts.
  const ordered = [...courses.filter((c) => !c.completed), ...courses.filter((c) => c.completed)]
  return studentDashboardView({ studentId, now: deps.clock.now(), courses: ordered, game, skills })
}

/**
 * What a student did in one of their courses, for the screen that ends it: the XP and badges its steps
 * brought, and the time spent on its steps (as staff see it: from each step's opening to its completion,
 * capped; null when no step's time is known).
 */
export async function courseRecap(deps: ReportingDeps, actor: MemberIdentity, courseId: string) {
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  if (!studentId) throw forbidden('This view is for students', 'not_a_student')
  const [course] = await catalog.courseOutlines(deps.catalog, actor.orgId, { ids: [courseId] })
  const enrolment = course
    ? (await catalog.enrolmentsOf(deps.catalog, actor.orgId, [courseId])).find(
        (e) => e.student_id === studentId,
      )
    : undefined
  if (!course || !enrolment) throw notFound('Course')
  const [view] = await studentsInCourses(
    deps,
    actor.orgId,
    [course],
    [enrolment],
    thresholdsOf({ inactive_days: 7, stuck_days: 7, failures: 3 }),
    studentId,
  )
  if (!view) throw notFound('Course')
  // Only completion matters here, which the abandonment rule does not change.
  const report = reportOf(view, identity.DEFAULT_ABANDONED_DAYS, deps.clock.now())
  const lastCompletedAt = [...report.progress.values()]
    .map((p) => p.step_completed_at)
    .filter((at): at is string => at !== null)
    .sort()
    .at(-1)
  const rewards = deps.courseRewards ? await deps.courseRewards(actor.orgId, studentId, courseId) : null
  return courseRecapView({ courseId, report, stepCount: course.steps.length, lastCompletedAt, rewards })
}
