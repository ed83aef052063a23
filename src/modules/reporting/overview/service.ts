import type { z } from '@hono/zod-openapi'
import { localDay, shiftDay, startOfLocalDay } from '../../../core/calendar.ts'
import { signalOccurrences } from '../../../core/events/signal-log.ts'
import * as catalog from '../../catalog/index.ts'
import * as identity from '../../identity/index.ts'
import type { ReportingDeps } from '../deps.ts'
import { activeStudentsSince, eventCountsBetween } from '../repository.ts'
import type { OverviewQuery } from '../schemas.ts'
import { bySeverity, studentNames, studentsInCourses, thresholdsOf } from '../students-in-courses.ts'
import { adminOverviewView } from './presenters.ts'

/** How many items share each key (items without one are left out). */
function countBy<T>(items: T[], key: (item: T) => string | null) {
  const counts = new Map<string, number>()
  for (const item of items) {
    const k = key(item)
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
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

  const recentCompletions = completions.filter((c) => c.occurred_at >= windowStart)

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

  return adminOverviewView({
    now,
    timezone,
    thresholds: query,
    active,
    enrolments: { total: enrolments.length, students: new Set(enrolments.map((e) => e.student_id)).size },
    courses,
    perCourse: {
      enrolled: countBy(enrolments, (e) => e.course_id),
      completed: countBy(completions, (c) => c.course_id),
      recent: countBy(recentCompletions, (c) => c.course_id),
    },
    completions: { total: completions.length, last_30_days: recentCompletions.length },
    mastery,
    days,
    eventsPerDay: perDay,
    atRisk: { total: atRisk.length, shown, names },
  })
}
