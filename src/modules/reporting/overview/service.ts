import type { z } from '@hono/zod-openapi'
import { localDay, shiftDay, startOfLocalDay } from '../../../core/calendar.ts'
import { signalOccurrences } from '../../../core/events/signal-log.ts'
import * as catalog from '../../catalog/index.ts'
import * as identity from '../../identity/index.ts'
import type { ReportingDeps } from '../deps.ts'
import { activeStudentsSince, eventCountsBetween } from '../repository.ts'
import type { OverviewQuery } from '../schemas.ts'
import { bySeverity, studentNames, studentsInCourses, thresholdsOf } from '../students-in-courses.ts'

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
