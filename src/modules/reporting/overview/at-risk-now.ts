import * as catalog from '../../catalog/index.ts'
import * as identity from '../../identity/index.ts'
import type { ReportingDeps } from '../deps.ts'
import { studentNames, studentsInCourses, thresholdsOf } from '../students-in-courses.ts'

/** The thresholds the dashboards open with (schemas.ts RiskQueryShape defaults). */
const DEFAULT_THRESHOLDS = thresholdsOf({ inactive_days: 7, stuck_days: 7, failures: 3 })

type StudentAtRisk = {
  course: { id: string; name: string }
  student: { id: string; name: string }
  /** Why, most telling first: `inactive`, `stuck`, `repeated_failures`, `out_of_hearts`. */
  reasons: string[]
  /** The accounts of the course's instructors: whom to tell. */
  instructorUserIds: string[]
}

/**
 * The students at risk in the school's published courses right now (the dashboards' rule, with their default
 * thresholds), each with the accounts of their course's instructors.
 */
export async function studentsAtRisk(deps: ReportingDeps, orgId: string): Promise<StudentAtRisk[]> {
  const published = (await catalog.courseOutlines(deps.catalog, orgId)).filter(
    (c) => c.status === 'published',
  )
  if (published.length === 0) return []
  const enrolments = await catalog.enrolmentsOf(
    deps.catalog,
    orgId,
    published.map((c) => c.id),
  )
  const states = (await studentsInCourses(deps, orgId, published, enrolments, DEFAULT_THRESHOLDS)).filter(
    (s) => s.reasons.length > 0,
  )
  if (states.length === 0) return []
  const names = await studentNames(deps, orgId, [...new Set(states.map((s) => s.student_id))])
  const instructorsOf = new Map<string, string[]>()
  for (const courseId of new Set(states.map((s) => s.course.id))) {
    const profiles = await catalog.peopleOfCourse(deps.catalog, orgId, 'lms_instructor', { courseId })
    const people = await identity.peopleByIds(deps.identity, orgId, 'lms_instructor', profiles)
    instructorsOf.set(
      courseId,
      people.flatMap((p) => p.user_id ?? []),
    )
  }
  return states.map((s) => ({
    course: { id: s.course.id, name: s.course.name },
    student: { id: s.student_id, name: names.get(s.student_id) ?? '' },
    reasons: s.reasons.map((r) => r.code),
    instructorUserIds: instructorsOf.get(s.course.id) ?? [],
  }))
}
