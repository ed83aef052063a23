import type { z } from '@hono/zod-openapi'
import { signalContract, signalsOfStudent } from '../../../core/events/signal-log.ts'
import type { MemberIdentity } from '../../../core/http/access.ts'
import { forbidden, notFound } from '../../../core/http/errors.ts'
import * as catalog from '../../catalog/index.ts'
import * as identity from '../../identity/index.ts'
import * as progress from '../../progress/index.ts'
import type { ReportingDeps } from '../deps.ts'
import type { AnalyticsQuery, StudentInCourseQuery } from '../schemas.ts'
import {
  bySeverity,
  reportOf,
  type StudentReport,
  studentNames,
  studentsInCourses,
  type Thresholds,
  thresholdsOf,
} from '../students-in-courses.ts'
import { courseAnalyticsView, type StepFunnel, studentInCourseView } from './presenters.ts'

// A course's analytics and one student's page in it, for its instructors and the school's admins.

/** The attempts a student's course page lists. */
const quizAttempts = signalContract(progress.QuizAttemptedSignal)

/** Owners and admins see every course; instructors the courses they are assigned to. */
async function assertMayAnalyse(deps: ReportingDeps, actor: MemberIdentity, courseId: string) {
  if (actor.isSuperadmin || actor.role === 'owner' || actor.role === 'admin') return
  if (
    actor.role === 'instructor' &&
    (await catalog.isCourseInstructor(deps.catalog, actor.orgId, courseId, actor.userId))
  )
    return
  throw forbidden(
    'Only the instructors assigned to this course, and admins, can see its analytics',
    'not_assigned',
  )
}

/** A course the actor may analyse, its enrolled students and what the reports derive for each. */
export async function courseReports(
  deps: ReportingDeps,
  actor: MemberIdentity,
  courseId: string,
  query: { abandoned_days?: number } & Partial<Thresholds>,
) {
  const [course] = await catalog.courseOutlines(deps.catalog, actor.orgId, { ids: [courseId] })
  if (!course) throw notFound('Course')
  await assertMayAnalyse(deps, actor, courseId)
  const [enrolments, org] = await Promise.all([
    catalog.enrolmentsOf(deps.catalog, actor.orgId, [courseId]),
    identity.getOrganisation(deps.identity, actor.orgId),
  ])
  // The school's setting, unless this one view asks for another.
  const abandonedDays = query.abandoned_days ?? org.abandoned_days
  const thresholds = thresholdsOf({
    inactive_days: query.inactive_days ?? 7,
    stuck_days: query.stuck_days ?? 7,
    failures: query.failures ?? 3,
  })
  const views = await studentsInCourses(deps, actor.orgId, [course], enrolments, thresholds)
  const now = deps.clock.now()
  return { course, org, abandonedDays, reports: views.map((v) => reportOf(v, abandonedDays, now)) }
}

/**
 * How a course's enrolled students go through it: per step, how many reached it (acted on it, or completed
 * the step before), completed it, are still on it or abandoned the course there, how many quiz attempts
 * they made and how long they took; then each student with their place in the path, status, time spent,
 * best quiz scores and at-risk reasons.
 */
export async function courseAnalytics(
  deps: ReportingDeps,
  actor: MemberIdentity,
  courseId: string,
  query: z.infer<typeof AnalyticsQuery>,
) {
  const { course, abandonedDays, reports } = await courseReports(deps, actor, courseId, query)
  const names = await studentNames(
    deps,
    actor.orgId,
    reports.map((r) => r.student_id),
  )
  const nameOf = (r: StudentReport) => names.get(r.student_id) ?? ''
  const sorted = [...reports].sort(
    bySeverity((a, b) => nameOf(a).localeCompare(nameOf(b)) || a.student_id.localeCompare(b.student_id)),
  )
  return courseAnalyticsView({
    now: deps.clock.now(),
    thresholds: query,
    abandonedDays,
    course,
    funnel: funnelOf(course, reports),
    reports: sorted,
    page: sorted.slice(query.offset, query.offset + query.limit),
    names,
  })
}

/**
 * Per step of the course: who reached it (acted on it, or completed the step before), completed it or
 * abandoned the course there, the quiz attempts of those who attempted it and the time of those who
 * completed it.
 */
function funnelOf(course: catalog.CourseOutline, reports: StudentReport[]): StepFunnel[] {
  return course.steps.map((step) => {
    const previous = step.index > 0 ? course.steps[step.index - 1] : undefined
    const funnel: StepFunnel = {
      step,
      reached: 0,
      completed: 0,
      abandoned: 0,
      quizAttempts: [],
      timesSec: [],
    }
    for (const r of reports) {
      const row = r.progress.get(step.id)
      if (!row && !(previous && r.progress.get(previous.id)?.step_completed_at)) continue
      funnel.reached += 1
      if (row && row.quiz_attempts > 0) funnel.quizAttempts.push(row.quiz_attempts)
      if (!row?.step_completed_at) {
        if (r.status === 'abandoned') funnel.abandoned += 1
        continue
      }
      funnel.completed += 1
      const time = r.steps.get(step.id)?.timeSec
      if (time != null) funnel.timesSec.push(time)
    }
    return funnel
  })
}

/**
 * One enrolled student in one course, for the staff who may see its analytics: the path step by step
 * (done, current, locked, with dates and time), every quiz attempt, course and skill mastery, last activity
 * and at-risk reasons. A student not enrolled in the course is not found.
 */
export async function studentInCourse(
  deps: ReportingDeps,
  actor: MemberIdentity,
  courseId: string,
  studentId: string,
  query: z.infer<typeof StudentInCourseQuery>,
) {
  const { course, abandonedDays, reports } = await courseReports(deps, actor, courseId, query)
  const r = reports.find((x) => x.student_id === studentId)
  if (!r) throw notFound('Student')
  const [people, teams, signals, courseMastery, skills] = await Promise.all([
    identity.peopleByIds(deps.identity, actor.orgId, 'lms_student', [studentId]),
    catalog.teamsOfStudents(deps.catalog, actor.orgId, [studentId]),
    signalsOfStudent(deps.db, actor.orgId, studentId, quizAttempts),
    deps.courseMastery ? deps.courseMastery(actor.orgId, courseId) : [],
    deps.dashboardSkills(actor.orgId, studentId),
  ])
  return studentInCourseView({
    now: deps.clock.now(),
    abandonedDays,
    course,
    report: r,
    person: people[0],
    teams: teams.get(studentId) ?? [],
    attempts: signals.filter((sig) => sig.course_id === courseId),
    courseMastery: courseMastery.find((m) => m.student_id === studentId),
    skills: skills.skills,
  })
}
