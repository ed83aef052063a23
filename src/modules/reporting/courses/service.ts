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
  average,
  bySeverity,
  reportOf,
  round2,
  type StudentReport,
  studentNames,
  studentsInCourses,
  type Thresholds,
  thresholdsOf,
} from '../students-in-courses.ts'

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

  const funnel = course.steps.map((step) => {
    const previous = step.index > 0 ? course.steps[step.index - 1] : undefined
    let reached = 0
    let completed = 0
    let abandoned = 0
    const attempts: number[] = []
    const durations: number[] = []
    for (const r of reports) {
      const row = r.progress.get(step.id)
      if (!row && !(previous && r.progress.get(previous.id)?.step_completed_at)) continue
      reached += 1
      if (row && row.quiz_attempts > 0) attempts.push(row.quiz_attempts)
      if (!row?.step_completed_at) {
        if (r.status === 'abandoned') abandoned += 1
        continue
      }
      completed += 1
      const time = r.steps.get(step.id)?.timeSec
      if (time != null) durations.push(time)
    }
    return {
      class_id: step.id,
      index: step.index,
      name: step.name,
      step_type: step.step_type,
      reached,
      completed,
      in_progress: reached - completed - abandoned,
      abandoned,
      abandoned_ratio: reached === 0 ? 0 : round2(abandoned / reached),
      average_quiz_attempts: average(attempts),
      average_time_sec: average(durations),
    }
  })

  const names = await studentNames(
    deps,
    actor.orgId,
    reports.map((r) => r.student_id),
  )
  const total = course.steps.length
  const students = reports
    .map((r) => ({
      student_id: r.student_id,
      name: names.get(r.student_id) ?? null,
      enrolled_at: r.enrolled_at,
      completed_steps: r.done,
      progress_ratio: total === 0 ? 0 : round2(r.done / total),
      completed: r.status === 'completed',
      status: r.status,
      time_spent_sec: r.timeSpentSec,
      current_step: r.current
        ? { class_id: r.current.id, index: r.current.index, name: r.current.name }
        : null,
      last_event_at: r.lastEventAt,
      quiz_scores: quizScoresOf(course, r),
      severity: r.severity,
      reasons: r.reasons,
    }))
    .sort(
      bySeverity(
        (a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.student_id.localeCompare(b.student_id),
      ),
    )

  return {
    generated_at: deps.clock.now().toISOString(),
    thresholds: {
      inactive_days: query.inactive_days,
      stuck_days: query.stuck_days,
      failures: query.failures,
    },
    abandoned_days: abandonedDays,
    course: { id: course.id, name: course.name, status: course.status, step_count: total },
    enrolled: reports.length,
    completed: students.filter((s) => s.completed).length,
    abandoned: students.filter((s) => s.status === 'abandoned').length,
    funnel,
    students: {
      total: students.length,
      entries: students
        .slice(query.offset, query.offset + query.limit)
        .map(({ reasons, ...s }) => ({ ...s, at_risk: reasons })),
    },
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

export const firstEmail = (emailsJson: string | null | undefined) => {
  try {
    const emails = JSON.parse(emailsJson ?? '[]') as { email?: unknown }[]
    const email = emails.find((e) => typeof e.email === 'string')?.email
    return typeof email === 'string' ? email : null
  } catch {
    return null
  }
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
  const person = people[0]
  const indexOf = new Map(course.steps.map((s) => [s.id, s.index]))
  const mastery = courseMastery.find((m) => m.student_id === studentId)
  const total = course.steps.length
  return {
    generated_at: deps.clock.now().toISOString(),
    abandoned_days: abandonedDays,
    course: { id: course.id, name: course.name, status: course.status, step_count: total },
    student: { id: studentId, name: person?.name ?? null, email: firstEmail(person?.emails_json) },
    teams: teams.get(studentId) ?? [],
    enrolled_at: r.enrolled_at,
    status: r.status,
    completed_steps: r.done,
    progress_ratio: total === 0 ? 0 : round2(r.done / total),
    time_spent_sec: r.timeSpentSec,
    last_event_at: r.lastEventAt,
    steps: course.steps.map((step) => {
      const row = r.progress.get(step.id)
      const completedAt = row?.step_completed_at ?? null
      const derived = r.steps.get(step.id)
      const state = completedAt ? 'done' : r.current?.id === step.id ? 'current' : 'locked'
      return {
        class_id: step.id,
        index: step.index,
        name: step.name,
        step_type: step.step_type,
        state: state as 'done' | 'current' | 'locked',
        opened_at: state === 'locked' ? null : (derived?.openedAt ?? null),
        completed_at: completedAt,
        time_sec: derived?.timeSec ?? null,
        quiz:
          row && row.quiz_attempts > 0
            ? { attempts: row.quiz_attempts, best_ratio: row.quiz_best_ratio, passed: row.quiz_passed }
            : null,
      }
    }),
    attempts: signals.flatMap((sig) => {
      const index = sig.class_id ? indexOf.get(sig.class_id) : undefined
      if (sig.course_id !== courseId || !sig.class_id || index === undefined) return []
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
    }),
    mastery: {
      course: mastery ? { score: mastery.score, level: mastery.level, questions: mastery.questions } : null,
      skills: skills.skills,
    },
    at_risk: r.reasons,
  }
}
