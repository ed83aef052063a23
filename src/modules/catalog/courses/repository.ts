import type { Updateable } from 'kysely'
import type { Db } from '../../../core/db/database.ts'
import { containsText } from '../../../core/db/like.ts'
import type { CourseRow, CourseStatus } from '../tables.ts'

export type ListFilter = { query?: string; updatedGte?: string; limit: number; offset: number }

// Courses

export type CourseFilter = Omit<ListFilter, 'limit' | 'offset'> & { status?: CourseStatus }

/** The courses a list asks for, before ordering and paging: the page and its total share these filters. */
function matchingCourses(db: Db, orgId: string, filter: CourseFilter) {
  let query = db.selectFrom('lms_course').where('org_id', '=', orgId)
  if (filter.status) query = query.where('status', '=', filter.status)
  if (filter.updatedGte) query = query.where('updated_at', '>=', filter.updatedGte)
  if (filter.query) {
    const text = filter.query
    query = query.where((eb) => containsText(eb.ref('name'), text))
  }
  return query
}

export async function listCourses(db: Db, orgId: string, filter: ListFilter & { status?: CourseStatus }) {
  return matchingCourses(db, orgId, filter)
    .selectAll()
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute()
}

/** How many courses a list would hold across all its pages. */
export async function countMatchingCourses(db: Db, orgId: string, filter: CourseFilter): Promise<number> {
  const row = await matchingCourses(db, orgId, filter)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function getCourse(db: Db, orgId: string, courseId: string) {
  return db
    .selectFrom('lms_course')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', courseId)
    .executeTakeFirst()
}

/** Platform-wide lookup (command line only): which organisation a course id belongs to. */
export async function findCourseOrganisation(db: Db, courseId: string) {
  const row = await db.selectFrom('lms_course').select('org_id').where('id', '=', courseId).executeTakeFirst()
  return row?.org_id
}

export async function insertCourse(db: Db, orgId: string, row: Omit<CourseRow, 'org_id'>) {
  await db
    .insertInto('lms_course')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updateCourse(db: Db, orgId: string, courseId: string, patch: Updateable<CourseRow>) {
  await db
    .updateTable('lms_course')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', courseId)
    .execute()
}

export async function deleteCourse(db: Db, orgId: string, courseId: string) {
  await db.deleteFrom('lms_course').where('org_id', '=', orgId).where('id', '=', courseId).execute()
}

export async function countCourses(db: Db, orgId: string, exceptStatus: CourseStatus): Promise<number> {
  const row = await db
    .selectFrom('lms_course')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('org_id', '=', orgId)
    .where('status', '!=', exceptStatus)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export type CourseLinks = {
  direct: { course_id: string; student_id: string }[]
  teams: { course_id: string; team_id: string }[]
  viaTeams: { course_id: string; student_id: string }[]
  instructors: { course_id: string; instructor_id: string }[]
}

/** Enrolments (direct and through teams) and assignments of several courses at once. */
export async function courseLinks(db: Db, orgId: string, courseIds: string[]): Promise<CourseLinks> {
  if (courseIds.length === 0) return { direct: [], teams: [], viaTeams: [], instructors: [] }
  const [direct, teams, viaTeams, instructors] = await Promise.all([
    db
      .selectFrom('course_students')
      .select(['course_id', 'student_id'])
      .where('org_id', '=', orgId)
      .where('course_id', 'in', courseIds)
      .execute(),
    db
      .selectFrom('course_teams')
      .select(['course_id', 'team_id'])
      .where('org_id', '=', orgId)
      .where('course_id', 'in', courseIds)
      .execute(),
    db
      .selectFrom('course_teams')
      .innerJoin('team_members', 'team_members.team_id', 'course_teams.team_id')
      .select(['course_teams.course_id', 'team_members.student_id'])
      .where('course_teams.org_id', '=', orgId)
      .where('course_teams.course_id', 'in', courseIds)
      .execute(),
    db
      .selectFrom('course_instructors')
      .select(['course_id', 'instructor_id'])
      .where('org_id', '=', orgId)
      .where('course_id', 'in', courseIds)
      .execute(),
  ])
  return { direct, teams, viaTeams, instructors }
}

export async function replaceCourseStudents(
  db: Db,
  orgId: string,
  courseId: string,
  ids: string[],
  at: string,
) {
  await db
    .deleteFrom('course_students')
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .execute()
  if (ids.length === 0) return
  await db
    .insertInto('course_students')
    .values(ids.map((student_id) => ({ org_id: orgId, course_id: courseId, student_id, created_at: at })))
    .execute()
}

export async function replaceCourseTeams(db: Db, orgId: string, courseId: string, ids: string[], at: string) {
  await db.deleteFrom('course_teams').where('org_id', '=', orgId).where('course_id', '=', courseId).execute()
  if (ids.length === 0) return
  await db
    .insertInto('course_teams')
    .values(ids.map((team_id) => ({ org_id: orgId, course_id: courseId, team_id, created_at: at })))
    .execute()
}

export async function replaceCourseInstructors(
  db: Db,
  orgId: string,
  courseId: string,
  ids: string[],
  at: string,
) {
  await db
    .deleteFrom('course_instructors')
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .execute()
  if (ids.length === 0) return
  await db
    .insertInto('course_instructors')
    .values(
      ids.map((instructor_id) => ({ org_id: orgId, course_id: courseId, instructor_id, created_at: at })),
    )
    .execute()
}

export async function isInstructorAssigned(db: Db, orgId: string, courseId: string, instructorId: string) {
  const row = await db
    .selectFrom('course_instructors')
    .select('course_id')
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .where('instructor_id', '=', instructorId)
    .executeTakeFirst()
  return Boolean(row)
}

/** Whether the student is enrolled in the course, directly or through one of its teams. */
export async function isStudentEnrolled(db: Db, orgId: string, courseId: string, studentId: string) {
  const direct = await db
    .selectFrom('course_students')
    .select('course_id')
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .where('student_id', '=', studentId)
    .executeTakeFirst()
  if (direct) return true
  const viaTeam = await db
    .selectFrom('course_teams')
    .innerJoin('team_members', 'team_members.team_id', 'course_teams.team_id')
    .select('course_teams.course_id')
    .where('course_teams.org_id', '=', orgId)
    .where('course_teams.course_id', '=', courseId)
    .where('team_members.student_id', '=', studentId)
    .executeTakeFirst()
  return Boolean(viaTeam)
}

/** Among these students, those enrolled in the course, directly or through a team. */
export async function enrolledStudentsAmong(db: Db, orgId: string, courseId: string, studentIds: string[]) {
  if (studentIds.length === 0) return new Set<string>()
  const direct = db
    .selectFrom('course_students')
    .select('student_id')
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .where('student_id', 'in', studentIds)
  const viaTeam = db
    .selectFrom('course_teams')
    .innerJoin('team_members', 'team_members.team_id', 'course_teams.team_id')
    .select('team_members.student_id')
    .where('course_teams.org_id', '=', orgId)
    .where('course_teams.course_id', '=', courseId)
    .where('team_members.student_id', 'in', studentIds)
  const rows = await direct.union(viaTeam).execute()
  return new Set(rows.map((r) => r.student_id))
}

/** Ids of the courses a student is enrolled in, directly or through a team. */
export async function courseIdsOfStudent(db: Db, orgId: string, studentId: string): Promise<string[]> {
  const direct = db
    .selectFrom('course_students')
    .select('course_id')
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
  const viaTeams = db
    .selectFrom('course_teams')
    .innerJoin('team_members', 'team_members.team_id', 'course_teams.team_id')
    .select('course_teams.course_id')
    .where('course_teams.org_id', '=', orgId)
    .where('team_members.student_id', '=', studentId)
  return (await direct.union(viaTeams).execute()).map((r) => r.course_id)
}

/** Distinct students enrolled in the organisation's courses that are not archived (the plan's "students"). */
export async function countEnrolledStudents(db: Db, orgId: string): Promise<number> {
  const direct = db
    .selectFrom('course_students')
    .innerJoin('lms_course', 'lms_course.id', 'course_students.course_id')
    .select('course_students.student_id')
    .where('course_students.org_id', '=', orgId)
    .where('lms_course.status', '!=', 'archived')
  const viaTeams = db
    .selectFrom('course_teams')
    .innerJoin('lms_course', 'lms_course.id', 'course_teams.course_id')
    .innerJoin('team_members', 'team_members.team_id', 'course_teams.team_id')
    .select('team_members.student_id')
    .where('course_teams.org_id', '=', orgId)
    .where('lms_course.status', '!=', 'archived')
  const row = await db
    .selectFrom(direct.union(viaTeams).as('enrolled'))
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

// Read models for dashboards (reporting)

/** The school's courses (all, or those listed), optionally of one status, by name. */
export async function findCourses(db: Db, orgId: string, filter: { ids?: string[]; status?: CourseStatus }) {
  if (filter.ids?.length === 0) return []
  let query = db
    .selectFrom('lms_course')
    .select(['id', 'name', 'status', 'published_at'])
    .where('org_id', '=', orgId)
  if (filter.ids) query = query.where('id', 'in', filter.ids)
  if (filter.status) query = query.where('status', '=', filter.status)
  return query.orderBy('name').orderBy('id').execute()
}

/** Enrolments of these courses, direct and through teams, with when each link was made. */
export async function enrolmentLinks(db: Db, orgId: string, courseIds: string[]) {
  if (courseIds.length === 0) return { direct: [], viaTeams: [] }
  const [direct, viaTeams] = await Promise.all([
    db
      .selectFrom('course_students')
      .select(['course_id', 'student_id', 'created_at'])
      .where('org_id', '=', orgId)
      .where('course_id', 'in', courseIds)
      .execute(),
    db
      .selectFrom('course_teams')
      .innerJoin('team_members', 'team_members.team_id', 'course_teams.team_id')
      .select([
        'course_teams.course_id',
        'team_members.student_id',
        'course_teams.created_at as team_linked_at',
        'team_members.created_at as member_since',
      ])
      .where('course_teams.org_id', '=', orgId)
      .where('course_teams.course_id', 'in', courseIds)
      .execute(),
  ])
  return { direct, viaTeams }
}
