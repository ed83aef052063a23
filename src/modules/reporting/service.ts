import type { z } from '@hono/zod-openapi'
import { stringify } from 'csv-stringify/sync'
import { localDay, shiftDay, startOfLocalDay } from '../../core/calendar.ts'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { signalContract, signalOccurrences, signalsOfStudent } from '../../core/events/signal-log.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { badRequest, forbidden, notFound } from '../../core/http/errors.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import type * as mastery from '../mastery/index.ts'
import * as progress from '../progress/index.ts'
import {
  activeStudentsSince,
  eventCountsBetween,
  eventDailyStats,
  stepActivity,
  userActivity,
} from './repository.ts'
import {
  currentStep,
  DAY_MS,
  longestDays,
  type RiskReason,
  type RiskThresholds,
  riskReasons,
  severityOf,
} from './rules/at-risk.ts'
import { type StudentStatus, stepOpenedAt, studentStatus, timeOnStepSec } from './rules/time-and-status.ts'
import type {
  AnalyticsQuery,
  CourseRecapSchema,
  DashboardGamificationSchema,
  DashboardQuery,
  DashboardSkillsSchema,
  OverviewQuery,
  ResultsCsvQuery,
  StudentInCourseQuery,
} from './schemas.ts'

// Monitoring views of seed 001, computed on demand from the event log and the signals, and the dashboards
// of staff (school overview, course analytics).

/** Average mastery of the students of each course, as the mastery module computes it. */
type AverageMasteryPort = (
  orgId: string,
) => Promise<{ course_id: string; students: number; average_score: number }[]>

/** The students who have no heart left, as gamification knows it. */
type OutOfHeartsPort = (orgId: string) => Promise<{ student_id: string; next_heart_at: string | null }[]>

/** Each student's mastery of one course (mastery), for the course reports. */
type CourseMasteryPort = (
  orgId: string,
  courseId: string,
) => Promise<
  { student_id: string; score: number; level: (typeof mastery.masteryLevels)[number]; questions: number }[]
>

/** The student dashboard's game (gamification): XP, badges, streak with its calendar, hearts. */
type DashboardGamificationPort = (
  orgId: string,
  studentId: string,
  calendarDays: number,
) => Promise<z.infer<typeof DashboardGamificationSchema>>

/** The XP and badges a student earned through one course's steps (gamification), for its recap. */
type CourseRewardsPort = (
  orgId: string,
  studentId: string,
  courseId: string,
) => Promise<{ xp: number; badges: z.infer<typeof CourseRecapSchema>['badges'] }>

/** The student dashboard's skills (mastery): counts per level and each skill's level now. */
type DashboardSkillsPort = (
  orgId: string,
  studentId: string,
) => Promise<z.infer<typeof DashboardSkillsSchema>>

export type ReportingDeps = {
  db: Db
  clock: Clock
  progress: progress.ProgressDeps
  catalog: catalog.CatalogDeps
  identity: identity.IdentityDeps
  /** When absent, the overview lists no mastery. */
  averageMastery?: AverageMasteryPort
  /** When absent, nobody is reported out of hearts. */
  outOfHearts?: OutOfHeartsPort
  /** When absent, course reports show no mastery. */
  courseMastery?: CourseMasteryPort
  dashboardGamification: DashboardGamificationPort
  dashboardSkills: DashboardSkillsPort
  /** When absent, course recaps show no XP nor badges. */
  courseRewards?: CourseRewardsPort
}

export async function dailyEventStats(
  deps: ReportingDeps,
  orgId: string,
  range: { from?: string; to?: string },
) {
  const today = deps.clock.now().toISOString().slice(0, 10)
  const to = range.to ?? today
  const from = range.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10)
  if (from > to) throw badRequest('invalid_range', '"from" must not be after "to"')
  if (Date.parse(to) - Date.parse(from) > 366 * DAY_MS)
    throw badRequest('invalid_range', 'Ask for a year at most')
  const end = new Date(Date.parse(to) + DAY_MS).toISOString()
  return eventDailyStats(deps.db, orgId, new Date(from).toISOString(), end)
}

export async function recentActivity(deps: ReportingDeps, orgId: string) {
  const since = new Date(deps.clock.now().getTime() - DAY_MS).toISOString()
  const rows = await userActivity(deps.db, orgId, since)
  return rows.map((r) => ({
    student_id: r.student_id,
    last_event_at: r.last_event_at,
    events_last_24h: r.events_since,
  }))
}

export async function signalSummary(deps: ReportingDeps, orgId: string) {
  return progress.signalSummary(deps.progress, orgId)
}

// Dashboards for staff

type Thresholds = Pick<z.infer<typeof OverviewQuery>, 'inactive_days' | 'stuck_days' | 'failures'>

/** The attempts a student's course page lists. */
const quizAttempts = signalContract(progress.QuizAttemptedSignal)

const thresholdsOf = (q: Thresholds): RiskThresholds => ({
  inactiveDays: q.inactive_days,
  stuckDays: q.stuck_days,
  failures: q.failures,
})

/** One enrolled student in one course: their progress, their activity and why they are at risk. */
type StudentInCourseView = {
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
async function studentsInCourses(
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
function bySeverity<T extends { severity: number; reasons: RiskReason[] }>(tieBreak: (a: T, b: T) => number) {
  return (a: T, b: T) =>
    b.severity - a.severity || longestDays(b.reasons) - longestDays(a.reasons) || tieBreak(a, b)
}

async function studentNames(deps: ReportingDeps, orgId: string, studentIds: string[]) {
  const people = await identity.peopleByIds(deps.identity, orgId, 'lms_student', studentIds)
  return new Map(people.map((p) => [p.id, p.name]))
}

/**
 * The school at a glance for its staff (seed front_admin, v_admin_overview): active students, enrolments,
 * completions, mastery, events per day in the school's time zone, and the students at risk.
 */
export async function adminOverview(
  deps: ReportingDeps,
  orgId: string,
  query: z.infer<typeof OverviewQuery>,
) {
  const now = deps.clock.now()
  const { timezone } = await identity.getOrganisation(deps.identity, orgId)
  const today = localDay(now, timezone)
  const days = Array.from({ length: 30 }, (_, i) => shiftDay(today, i - 29))
  // The start of each of the 30 days, and the end of today.
  const bounds = [...days, shiftDay(today, 1)].map((d) => startOfLocalDay(d, timezone).toISOString())
  const startOf = (daysAgo: number) => bounds[29 - daysAgo] as string
  const windowStart = startOf(29)
  const thresholds = thresholdsOf(query)

  const courses = await catalog.courseOutlines(deps.catalog, orgId)
  const published = courses.filter((c) => c.status === 'published')
  const [enrolments, active, perDay, completions, mastery] = await Promise.all([
    catalog.enrolmentsOf(
      deps.catalog,
      orgId,
      courses.map((c) => c.id),
    ),
    activeStudentsSince(deps.db, orgId, [startOf(0), startOf(6), startOf(29)]),
    eventCountsBetween(deps.db, orgId, bounds),
    signalOccurrences(deps.db, orgId, 'COURSE_COMPLETED'),
    deps.averageMastery ? deps.averageMastery(orgId) : [],
  ])
  const publishedIds = new Set(published.map((c) => c.id))
  const states = await studentsInCourses(
    deps,
    orgId,
    published,
    enrolments.filter((e) => publishedIds.has(e.course_id)),
    thresholds,
  )

  const countBy = <T>(items: T[], key: (item: T) => string | null) => {
    const counts = new Map<string, number>()
    for (const item of items) {
      const k = key(item)
      if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1)
    }
    return counts
  }
  const enrolled = countBy(enrolments, (e) => e.course_id)
  const recentCompletions = completions.filter((c) => c.occurred_at >= windowStart)
  const completed = countBy(completions, (c) => c.course_id)
  const completedRecently = countBy(recentCompletions, (c) => c.course_id)
  const courseName = new Map(courses.map((c) => [c.id, c.name]))

  const atRisk = states
    .filter((s) => s.reasons.length > 0)
    .sort(
      bySeverity(
        (a, b) => a.course.name.localeCompare(b.course.name) || a.student_id.localeCompare(b.student_id),
      ),
    )
  const shown = atRisk.slice(0, query.limit)
  const names = await studentNames(
    deps,
    orgId,
    shown.map((s) => s.student_id),
  )

  return {
    generated_at: now.toISOString(),
    timezone,
    thresholds: {
      inactive_days: query.inactive_days,
      stuck_days: query.stuck_days,
      failures: query.failures,
    },
    active_students: {
      last_1_day: active[0] ?? 0,
      last_7_days: active[1] ?? 0,
      last_30_days: active[2] ?? 0,
    },
    enrolments: {
      total: enrolments.length,
      students: new Set(enrolments.map((e) => e.student_id)).size,
      by_course: courses.map((c) => ({
        course_id: c.id,
        name: c.name,
        status: c.status,
        enrolled: enrolled.get(c.id) ?? 0,
        completions: completed.get(c.id) ?? 0,
        completions_last_30_days: completedRecently.get(c.id) ?? 0,
      })),
    },
    completions: { total: completions.length, last_30_days: recentCompletions.length },
    average_mastery: mastery.map((m) => ({
      course_id: m.course_id,
      name: courseName.get(m.course_id) ?? null,
      students: m.students,
      average_score: m.average_score,
    })),
    events_per_day: days.map((day, i) => ({ day, events: perDay[i] ?? 0 })),
    at_risk: {
      total: atRisk.length,
      entries: shown.map((s) => ({
        student_id: s.student_id,
        name: names.get(s.student_id) ?? null,
        course_id: s.course.id,
        course_name: s.course.name,
        severity: s.severity,
        reasons: s.reasons,
      })),
    },
  }
}

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

const round2 = (n: number) => Math.round(n * 100) / 100
const average = (values: number[]) =>
  values.length === 0 ? null : round2(values.reduce((sum, v) => sum + v, 0) / values.length)

/** What the course reports derive for one enrolled student: steps done, time on each step, status. */
type StudentReport = StudentInCourseView & {
  done: number
  current: catalog.CourseOutline['steps'][number] | null
  status: StudentStatus
  /** By step id: when it opened and the time spent on it (null when not completed or unknown). */
  steps: Map<string, { openedAt: string | null; timeSec: number | null }>
  timeSpentSec: number
}

function reportOf(view: StudentInCourseView, abandonedDays: number, now: Date): StudentReport {
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

/** A course the actor may analyse, its enrolled students and what the reports derive for each. */
async function courseReports(
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

const firstEmail = (emailsJson: string | null | undefined) => {
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

const csvHeaders = {
  fr: {
    name: 'Nom',
    email: 'E-mail',
    teams: 'Classes',
    status: 'Statut',
    progress: 'Progression (%)',
    current: 'Étape en cours',
    quiz: (index: number, name: string) => `Quiz ${index}. ${name} (meilleur score %)`,
    time: 'Temps passé (min)',
    mastery: 'Maîtrise du cours (%)',
    last: 'Dernière activité',
    statuses: {
      not_started: 'Pas commencé',
      in_progress: 'En cours',
      abandoned: 'Abandonné',
      completed: 'Terminé',
    },
  },
  en: {
    name: 'Name',
    email: 'E-mail',
    teams: 'Classes',
    status: 'Status',
    progress: 'Progress (%)',
    current: 'Current step',
    quiz: (index: number, name: string) => `Quiz ${index}. ${name} (best score %)`,
    time: 'Time spent (min)',
    mastery: 'Course mastery (%)',
    last: 'Last activity',
    statuses: {
      not_started: 'Not started',
      in_progress: 'In progress',
      abandoned: 'Abandoned',
      completed: 'Completed',
    },
  },
} as const

/**
 * A course's results as CSV, one row per enrolled student in name order, for the staff who may see its
 * analytics. UTF-8 with a byte order mark so that Excel reads accents; RFC 4180 quoting (csv-stringify).
 */
export async function courseResultsCsv(
  deps: ReportingDeps,
  actor: MemberIdentity,
  courseId: string,
  query: z.infer<typeof ResultsCsvQuery>,
) {
  const { course, org, reports } = await courseReports(deps, actor, courseId, query)
  const ids = reports.map((r) => r.student_id)
  const [people, teams, mastery] = await Promise.all([
    identity.peopleByIds(deps.identity, actor.orgId, 'lms_student', ids),
    catalog.teamsOfStudents(deps.catalog, actor.orgId, ids),
    deps.courseMastery ? deps.courseMastery(actor.orgId, courseId) : [],
  ])
  const h = csvHeaders[query.lang ?? org.default_locale]
  const personOf = new Map(people.map((p) => [p.id, p]))
  const masteryOf = new Map(mastery.map((m) => [m.student_id, m]))
  const quizSteps = course.steps.filter((s) => s.has_quiz)
  const total = course.steps.length
  const percent = (ratio: number | null | undefined) => (ratio == null ? '' : Math.round(ratio * 100))
  const rows = reports
    .map((r) => {
      const person = personOf.get(r.student_id)
      return [
        person?.name ?? '',
        firstEmail(person?.emails_json) ?? '',
        (teams.get(r.student_id) ?? []).map((t) => t.name).join(', '),
        h.statuses[r.status],
        total === 0 ? 0 : Math.round((r.done / total) * 100),
        r.current ? `${r.current.index + 1}. ${r.current.name}` : '',
        ...quizSteps.map((s) => percent(r.progress.get(s.id)?.quiz_best_ratio)),
        Math.round(r.timeSpentSec / 60),
        percent(masteryOf.get(r.student_id)?.score),
        r.lastEventAt ?? '',
      ]
    })
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
  const header = [
    h.name,
    h.email,
    h.teams,
    h.status,
    h.progress,
    h.current,
    ...quizSteps.map((s) => h.quiz(s.index + 1, s.name)),
    h.time,
    h.mastery,
    h.last,
  ]
  return { course, csv: `\uFEFF${stringify([header, ...rows], { record_delimiter: 'windows' })}` }
}

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
  return { student_id: studentId, as_of: deps.clock.now().toISOString(), courses: ordered, ...game, skills }
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
  const timed = [...report.steps.values()].some((s) => s.timeSec !== null)
  const completedAt = [...report.progress.values()]
    .map((p) => p.step_completed_at)
    .filter((at): at is string => at !== null)
    .sort()
    .at(-1)
  const rewards = deps.courseRewards ? await deps.courseRewards(actor.orgId, studentId, courseId) : null
  return {
    course_id: courseId,
    completed: report.status === 'completed',
    completed_steps: report.done,
    total_steps: course.steps.length,
    completed_at: report.status === 'completed' ? (completedAt ?? null) : null,
    xp_earned: rewards?.xp ?? null,
    badges: rewards?.badges ?? [],
    time_spent_sec: timed ? report.timeSpentSec : null,
  }
}
