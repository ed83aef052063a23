import type { Db } from '../../../core/db/database.ts'
import { AppError, conflict, forbidden, notFound } from '../../../core/http/errors.ts'
import * as identity from '../../identity/index.ts'
import type { Actor, CatalogDeps } from '../deps.ts'
import type { CourseRow } from '../tables.ts'
import * as teamRepo from '../teams/repository.ts'
import * as repo from './repository.ts'
import type { CourseInput } from './service.ts'

// What a change in a course must pass, whatever it changes (the course, its steps, handout or captions,
// or the teams it enrols): the course exists, the caller may edit it and it is not archived, the people
// and teams it names exist, and the school's plan allows the result.

const manager = (actor: Actor) => actor.isSuperadmin || actor.role === 'owner' || actor.role === 'admin'

export async function loadCourse(deps: CatalogDeps, orgId: string, courseId: string): Promise<CourseRow> {
  const course = await repo.getCourse(deps.db, orgId, courseId)
  if (!course) throw notFound('Course')
  return course
}

/** Owners and admins edit every course; instructors the courses they are assigned to. */
export async function assertMayEdit(deps: CatalogDeps, actor: Actor, course: CourseRow) {
  if (manager(actor)) return
  if (actor.role === 'instructor') {
    const { instructorId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
    if (instructorId && (await repo.isInstructorAssigned(deps.db, actor.orgId, course.id, instructorId)))
      return
  }
  throw forbidden('Only the instructors assigned to this course, and admins, can change it', 'not_assigned')
}

export function assertNotArchived(course: CourseRow) {
  if (course.status === 'archived')
    throw conflict('course_archived', 'This course is archived: it can no longer change')
}

export async function assertReferencesExist(deps: CatalogDeps, orgId: string, input: CourseInput) {
  const checks: [string[] | undefined, 'lms_student' | 'lms_instructor', string][] = [
    [input.student_ids, 'lms_student', 'student'],
    [input.instructor_ids, 'lms_instructor', 'instructor'],
  ]
  for (const [ids, table, label] of checks) {
    if (!ids?.length) continue
    const found = new Set((await identity.peopleByIds(deps.identity, orgId, table, ids)).map((p) => p.id))
    const missing = [...new Set(ids)].filter((id) => !found.has(id))
    if (missing.length) {
      throw new AppError(
        404,
        `${label}_not_found`,
        `No ${label} of this school has the id ${missing.join(', ')}`,
        {
          missing,
        },
      )
    }
  }
  if (input.team_ids?.length) {
    const found = new Set((await teamRepo.findTeams(deps.db, orgId, input.team_ids)).map((t) => t.id))
    const missing = [...new Set(input.team_ids)].filter((id) => !found.has(id))
    if (missing.length) {
      throw new AppError(404, 'team_not_found', `No team of this school has the id ${missing.join(', ')}`, {
        missing,
      })
    }
  }
}

/** Checked inside the writing transaction, so that a refused change leaves nothing behind. */
export async function assertWithinPlan(deps: CatalogDeps, db: Db, orgId: string, creating: boolean) {
  const limits = await deps.planLimits(orgId)
  if (
    creating &&
    limits.max_courses !== null &&
    (await repo.countCourses(db, orgId, 'archived')) > limits.max_courses
  ) {
    throw conflict('plan_limit_reached', `The school's plan allows ${limits.max_courses} courses`, {
      limit: 'max_courses',
      max: limits.max_courses,
    })
  }
  if (limits.max_students !== null && (await repo.countEnrolledStudents(db, orgId)) > limits.max_students) {
    throw conflict(
      'plan_limit_reached',
      `The school's plan allows ${limits.max_students} enrolled students`,
      {
        limit: 'max_students',
        max: limits.max_students,
      },
    )
  }
}
