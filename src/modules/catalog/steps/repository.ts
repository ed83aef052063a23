import { PostgresAdapter, sql, type Updateable } from 'kysely'
import type { Db } from '../../../core/db/database.ts'
import { containsText } from '../../../core/db/like.ts'
import type { ListFilter } from '../courses/repository.ts'
import type { ClassRow, QuizRow } from '../tables.ts'

// Steps (classes) and their quizzes

export async function listClasses(db: Db, orgId: string, filter: ListFilter & { courseId?: string }) {
  let query = db.selectFrom('lms_class').selectAll().where('org_id', '=', orgId)
  if (filter.courseId) query = query.where('course_id', '=', filter.courseId)
  if (filter.updatedGte) query = query.where('updated_at', '>=', filter.updatedGte)
  if (filter.query) {
    const text = filter.query
    query = query.where((eb) => containsText(eb.ref('name'), text))
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
