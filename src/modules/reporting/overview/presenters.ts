import type { z } from '@hono/zod-openapi'
import type * as catalog from '../../catalog/index.ts'
import type { AdminOverviewSchema } from '../schemas.ts'
import type { StudentInCourseView, Thresholds } from '../students-in-courses.ts'

// The admin overview as the API shows it, from what its service gathered and counted.

type AdminOverview = z.infer<typeof AdminOverviewSchema>

/** By course id: its enrolments, its completions, and those of the last 30 days. */
type CourseCounts = {
  enrolled: Map<string, number>
  completed: Map<string, number>
  recent: Map<string, number>
}

type OverviewFacts = {
  now: Date
  timezone: string
  thresholds: Thresholds
  /** Active students over the last 1, 7 and 30 days. */
  active: number[]
  enrolments: { total: number; students: number }
  courses: catalog.CourseOutline[]
  perCourse: CourseCounts
  completions: { total: number; last_30_days: number }
  mastery: { course_id: string; students: number; average_score: number }[]
  /** The 30 days, oldest first, and the events of each (same order). */
  days: string[]
  eventsPerDay: number[]
  /** How many students are at risk, those shown (most severe first) and their names. */
  atRisk: { total: number; shown: StudentInCourseView[]; names: Map<string, string | null> }
}

export function adminOverviewView(facts: OverviewFacts): AdminOverview {
  const { thresholds, active, perCourse, atRisk } = facts
  const courseName = new Map(facts.courses.map((c) => [c.id, c.name]))
  return {
    generated_at: facts.now.toISOString(),
    timezone: facts.timezone,
    thresholds: {
      inactive_days: thresholds.inactive_days,
      stuck_days: thresholds.stuck_days,
      failures: thresholds.failures,
    },
    active_students: {
      last_1_day: active[0] ?? 0,
      last_7_days: active[1] ?? 0,
      last_30_days: active[2] ?? 0,
    },
    enrolments: {
      total: facts.enrolments.total,
      students: facts.enrolments.students,
      by_course: facts.courses.map((c) => ({
        course_id: c.id,
        name: c.name,
        status: c.status,
        enrolled: perCourse.enrolled.get(c.id) ?? 0,
        completions: perCourse.completed.get(c.id) ?? 0,
        completions_last_30_days: perCourse.recent.get(c.id) ?? 0,
      })),
    },
    completions: { total: facts.completions.total, last_30_days: facts.completions.last_30_days },
    average_mastery: facts.mastery.map((m) => ({
      course_id: m.course_id,
      name: courseName.get(m.course_id) ?? null,
      students: m.students,
      average_score: m.average_score,
    })),
    events_per_day: facts.days.map((day, i) => ({ day, events: facts.eventsPerDay[i] ?? 0 })),
    at_risk: {
      total: atRisk.total,
      entries: atRisk.shown.map((s) => ({
        student_id: s.student_id,
        name: atRisk.names.get(s.student_id) ?? null,
        course_id: s.course.id,
        course_name: s.course.name,
        severity: s.severity,
        reasons: s.reasons,
      })),
    },
  }
}
