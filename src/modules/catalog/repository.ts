import { PostgresAdapter, sql, type Updateable } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import type {
  ClassRow,
  CourseRow,
  CourseStatus,
  KmsResourceRow,
  QuizRow,
  StepCaptionRow,
  TeamRow,
} from './tables.ts'

export type ListFilter = { query?: string; updatedGte?: string; limit: number; offset: number }

// Courses

export type CourseFilter = Omit<ListFilter, 'limit' | 'offset'> & { status?: CourseStatus }

/** The courses a list asks for, before ordering and paging: the page and its total share these filters. */
function matchingCourses(db: Db, orgId: string, filter: CourseFilter) {
  let query = db.selectFrom('lms_course').where('org_id', '=', orgId)
  if (filter.status) query = query.where('status', '=', filter.status)
  if (filter.updatedGte) query = query.where('updated_at', '>=', filter.updatedGte)
  if (filter.query) {
    const like = `%${filter.query.toLowerCase()}%`
    query = query.where((eb) => eb(eb.fn('lower', ['name']), 'like', like))
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

// Steps (classes) and their quizzes

export async function listClasses(db: Db, orgId: string, filter: ListFilter & { courseId?: string }) {
  let query = db.selectFrom('lms_class').selectAll().where('org_id', '=', orgId)
  if (filter.courseId) query = query.where('course_id', '=', filter.courseId)
  if (filter.updatedGte) query = query.where('updated_at', '>=', filter.updatedGte)
  if (filter.query) {
    const like = `%${filter.query.toLowerCase()}%`
    query = query.where((eb) => eb(eb.fn('lower', ['name']), 'like', like))
  }
  const ordered = filter.courseId
    ? query.orderBy('order_index').orderBy('id')
    : query.orderBy('updated_at', 'desc').orderBy('id')
  return ordered.limit(filter.limit).offset(filter.offset).execute()
}

/** The steps of a course in path order. */
export async function listCourseSteps(db: Db, orgId: string, courseId: string) {
  return db
    .selectFrom('lms_class')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .orderBy('order_index')
    .orderBy('id')
    .execute()
}

export async function countCourseSteps(db: Db, orgId: string, courseIds: string[]) {
  if (courseIds.length === 0) return []
  return db
    .selectFrom('lms_class')
    .select(['course_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('org_id', '=', orgId)
    .where('course_id', 'in', courseIds)
    .groupBy('course_id')
    .execute()
}

export async function getClass(db: Db, orgId: string, classId: string) {
  return db
    .selectFrom('lms_class')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', classId)
    .executeTakeFirst()
}

/** The course of each of these steps of the school, by step id (absent when the school has no such step). */
export async function findCoursesOfClasses(db: Db, orgId: string, classIds: string[]) {
  if (classIds.length === 0) return []
  return db
    .selectFrom('lms_class')
    .select(['id', 'course_id'])
    .where('org_id', '=', orgId)
    .where('id', 'in', classIds)
    .execute()
}

export async function insertClass(db: Db, orgId: string, row: Omit<ClassRow, 'org_id'>) {
  await db
    .insertInto('lms_class')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updateClass(db: Db, orgId: string, classId: string, patch: Updateable<ClassRow>) {
  await db.updateTable('lms_class').set(patch).where('org_id', '=', orgId).where('id', '=', classId).execute()
}

export async function deleteClass(db: Db, orgId: string, classId: string) {
  await db.deleteFrom('lms_class').where('org_id', '=', orgId).where('id', '=', classId).execute()
}

/** Writes the path order: the step at position i gets order_index i. */
export async function setStepOrder(db: Db, orgId: string, courseId: string, classIds: string[], at: string) {
  for (const [index, id] of classIds.entries()) {
    await db
      .updateTable('lms_class')
      .set({ order_index: index, updated_at: at })
      .where('org_id', '=', orgId)
      .where('course_id', '=', courseId)
      .where('id', '=', id)
      .execute()
  }
}

export async function getQuizzes(db: Db, orgId: string, quizIds: string[]) {
  if (quizIds.length === 0) return []
  return db.selectFrom('quizzes').selectAll().where('org_id', '=', orgId).where('id', 'in', quizIds).execute()
}

export async function insertQuiz(db: Db, orgId: string, row: Omit<QuizRow, 'org_id'>) {
  await db
    .insertInto('quizzes')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updateQuiz(db: Db, orgId: string, quizId: string, patch: Updateable<QuizRow>) {
  await db.updateTable('quizzes').set(patch).where('org_id', '=', orgId).where('id', '=', quizId).execute()
}

export async function deleteQuiz(db: Db, orgId: string, quizId: string) {
  await db.deleteFrom('quizzes').where('org_id', '=', orgId).where('id', '=', quizId).execute()
}

/**
 * Platform-wide lookup (Tally webhooks carry no credentials): the steps whose quiz is a Tally form, either
 * of one form or among some step ids, with the organisation each belongs to.
 */
export async function findTallySteps(db: Db, by: { formId: string } | { classIds: string[] }) {
  let query = db
    .selectFrom('lms_class')
    .innerJoin('quizzes', (join) =>
      join.onRef('quizzes.id', '=', 'lms_class.quiz_id').onRef('quizzes.org_id', '=', 'lms_class.org_id'),
    )
    .select([
      'lms_class.id as class_id',
      'lms_class.org_id',
      'lms_class.course_id',
      'quizzes.pass_threshold',
      'quizzes.tally_json',
    ])
    // A literal, not a bound parameter, so that SQLite can use the partial index.
    .where('quizzes.kind', '=', sql.lit('tally'))
  if ('formId' in by) {
    // The expression of the quizzes_tally_form index (migration 2026-11-22-04).
    const formId =
      db.getExecutor().adapter instanceof PostgresAdapter
        ? sql<string>`(quizzes.tally_json::jsonb ->> 'form_id')`
        : sql<string>`json_extract(quizzes.tally_json, '$.form_id')`
    query = query.where(formId, '=', by.formId)
  } else {
    if (by.classIds.length === 0) return []
    query = query.where('lms_class.id', 'in', by.classIds)
  }
  return query.orderBy('lms_class.org_id').orderBy('lms_class.id').execute()
}

// Teams

export type TeamPage = { query?: string; limit: number; offset: number }

/** A page of the organisation's teams by name, searched by name, with the total across all pages. */
export async function pageTeams(db: Db, orgId: string, filter: TeamPage) {
  let query = db.selectFrom('teams').where('org_id', '=', orgId)
  if (filter.query) {
    const like = `%${filter.query.toLowerCase()}%`
    query = query.where((eb) => eb(eb.fn('lower', ['name']), 'like', like))
  }
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy('name').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.n) }
}

/** The teams a student belongs to, by name. */
export async function teamsOfStudent(db: Db, orgId: string, studentId: string) {
  return db
    .selectFrom('teams')
    .innerJoin('team_members', 'team_members.team_id', 'teams.id')
    .select(['teams.id', 'teams.name'])
    .where('teams.org_id', '=', orgId)
    .where('team_members.student_id', '=', studentId)
    .orderBy('teams.name')
    .orderBy('teams.id')
    .execute()
}

export async function teamsOfStudents(db: Db, orgId: string, studentIds: string[]) {
  if (studentIds.length === 0) return []
  return db
    .selectFrom('teams')
    .innerJoin('team_members', 'team_members.team_id', 'teams.id')
    .select(['team_members.student_id', 'teams.id', 'teams.name'])
    .where('teams.org_id', '=', orgId)
    .where('team_members.student_id', 'in', studentIds)
    .orderBy('teams.name')
    .orderBy('teams.id')
    .execute()
}

export async function getTeam(db: Db, orgId: string, teamId: string) {
  return db
    .selectFrom('teams')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', teamId)
    .executeTakeFirst()
}

/** The teams whose names are among these lower-case names, ignoring case. */
export async function teamsNamed(db: Db, orgId: string, lowerNames: string[]) {
  if (lowerNames.length === 0) return []
  return db
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', ['name']), 'in', lowerNames))
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export async function teamsByIds(db: Db, orgId: string, teamIds: string[]) {
  if (teamIds.length === 0) return []
  return db
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where('id', 'in', teamIds)
    .execute()
}

export async function findTeams(db: Db, orgId: string, teamIds: string[]) {
  if (teamIds.length === 0) return []
  return db.selectFrom('teams').select('id').where('org_id', '=', orgId).where('id', 'in', teamIds).execute()
}

export async function insertTeam(db: Db, orgId: string, row: Omit<TeamRow, 'org_id'>) {
  await db
    .insertInto('teams')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updateTeam(db: Db, orgId: string, teamId: string, patch: Updateable<TeamRow>) {
  await db.updateTable('teams').set(patch).where('org_id', '=', orgId).where('id', '=', teamId).execute()
}

export async function deleteTeam(db: Db, orgId: string, teamId: string) {
  await db.deleteFrom('teams').where('org_id', '=', orgId).where('id', '=', teamId).execute()
}

export async function teamMembers(db: Db, orgId: string, teamIds: string[]) {
  if (teamIds.length === 0) return []
  return db
    .selectFrom('team_members')
    .select(['team_id', 'student_id'])
    .where('org_id', '=', orgId)
    .where('team_id', 'in', teamIds)
    .orderBy('created_at')
    .orderBy('student_id')
    .execute()
}

export async function replaceTeamMembers(
  db: Db,
  orgId: string,
  teamId: string,
  studentIds: string[],
  at: string,
) {
  await db.deleteFrom('team_members').where('org_id', '=', orgId).where('team_id', '=', teamId).execute()
  if (studentIds.length === 0) return
  await db
    .insertInto('team_members')
    .values(studentIds.map((student_id) => ({ org_id: orgId, team_id: teamId, student_id, created_at: at })))
    .execute()
}

export async function addTeamMember(db: Db, orgId: string, teamId: string, studentId: string, at: string) {
  await db
    .insertInto('team_members')
    .values({ org_id: orgId, team_id: teamId, student_id: studentId, created_at: at })
    .onConflict((oc) => oc.columns(['team_id', 'student_id']).doNothing())
    .execute()
}

export async function removeTeamMember(db: Db, orgId: string, teamId: string, studentId: string) {
  const result = await db
    .deleteFrom('team_members')
    .where('org_id', '=', orgId)
    .where('team_id', '=', teamId)
    .where('student_id', '=', studentId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

// KMS resources

export async function listKms(db: Db, orgId: string, courseId: string) {
  return db
    .selectFrom('kms_resource')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .orderBy('order_index')
    .orderBy('id')
    .execute()
}

export async function getKms(db: Db, orgId: string, courseId: string, resourceId: string) {
  return db
    .selectFrom('kms_resource')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .where('id', '=', resourceId)
    .executeTakeFirst()
}

export async function insertKms(db: Db, orgId: string, row: Omit<KmsResourceRow, 'org_id'>) {
  await db
    .insertInto('kms_resource')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updateKms(
  db: Db,
  orgId: string,
  resourceId: string,
  patch: Updateable<KmsResourceRow>,
) {
  await db
    .updateTable('kms_resource')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', resourceId)
    .execute()
}

export async function deleteKms(db: Db, orgId: string, resourceId: string) {
  await db.deleteFrom('kms_resource').where('org_id', '=', orgId).where('id', '=', resourceId).execute()
}

// Caption tracks of step videos

export async function listCaptions(db: Db, orgId: string, classIds: string[]) {
  if (classIds.length === 0) return []
  return db
    .selectFrom('step_caption')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('class_id', 'in', classIds)
    .orderBy('language')
    .orderBy('id')
    .execute()
}

export async function getCaption(db: Db, orgId: string, classId: string, captionId: string) {
  return db
    .selectFrom('step_caption')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('class_id', '=', classId)
    .where('id', '=', captionId)
    .executeTakeFirst()
}

export async function insertCaption(db: Db, orgId: string, row: Omit<StepCaptionRow, 'org_id'>) {
  await db
    .insertInto('step_caption')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function deleteCaption(db: Db, orgId: string, captionId: string) {
  await db.deleteFrom('step_caption').where('org_id', '=', orgId).where('id', '=', captionId).execute()
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

/** The steps of these courses, in path order within each course. */
export async function stepsOfCourses(db: Db, orgId: string, courseIds: string[]) {
  if (courseIds.length === 0) return []
  return db
    .selectFrom('lms_class')
    .select(['id', 'course_id', 'name', 'step_type', 'quiz_id'])
    .where('org_id', '=', orgId)
    .where('course_id', 'in', courseIds)
    .orderBy('course_id')
    .orderBy('order_index')
    .orderBy('id')
    .execute()
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
