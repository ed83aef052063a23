import type { Db } from '../../core/db/database.ts'
import { type SignalType, signalTypes } from './tables.ts'

export async function progressInCourse(db: Db, orgId: string, studentId: string, courseId: string) {
  return db
    .selectFrom('v_user_progress')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .where('student_id', '=', studentId)
    .orderBy('step_index')
    .execute()
}

export async function progressOfStep(db: Db, orgId: string, studentId: string, classId: string) {
  return db
    .selectFrom('v_user_progress')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .where('class_id', '=', classId)
    .executeTakeFirst()
}

/** The steps of the course that each of these students has completed. */
export async function completedStepsIn(db: Db, orgId: string, courseId: string, studentIds: string[]) {
  if (studentIds.length === 0) return []
  return db
    .selectFrom('v_user_progress')
    .select(['student_id', 'class_id'])
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .where('student_id', 'in', studentIds)
    .where('step_completed_at', 'is not', null)
    .execute()
}

/** Progress rows of these students on these steps (a row exists once a student has acted on a step). */
export async function progressOfSteps(db: Db, orgId: string, studentIds: string[], classIds: string[]) {
  if (studentIds.length === 0 || classIds.length === 0) return []
  return db
    .selectFrom('v_user_progress')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('student_id', 'in', studentIds)
    .where('class_id', 'in', classIds)
    .execute()
}

/**
 * How many leading steps of the course some student has reached: their completed steps and the current one
 * (the step after their last completed step, or the step they have started).
 */
export async function reachedStepCount(db: Db, orgId: string, courseId: string): Promise<number> {
  const row = await db
    .selectFrom('v_user_progress')
    .select((eb) =>
      eb.fn
        .max(
          eb
            .case()
            .when('step_completed_at', 'is not', null)
            .then(eb('step_index', '+', 2))
            .else(eb('step_index', '+', 1))
            .end(),
        )
        .as('reached'),
    )
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .executeTakeFirst()
  return Number(row?.reached ?? 0)
}

export async function hasSignal(db: Db, orgId: string, signalId: string): Promise<boolean> {
  const row = await db
    .selectFrom('lms_signal')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', signalId)
    .executeTakeFirst()
  return Boolean(row)
}

/** Per student, how many signals of each type (seed 001's v_signal_summary). */
export async function signalSummary(db: Db, orgId: string) {
  const rows = await db
    .selectFrom('lms_signal')
    .select(['student_id', 'type', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('org_id', '=', orgId)
    .where('type', 'in', signalTypes)
    .groupBy(['student_id', 'type'])
    .orderBy('student_id')
    .execute()
  return rows.map((r) => ({ student_id: r.student_id, type: r.type as SignalType, count: Number(r.n) }))
}

/** Progress rows of every student on the steps of these courses (dashboards). */
export async function progressInCourses(db: Db, orgId: string, courseIds: string[], studentId?: string) {
  if (courseIds.length === 0) return []
  let query = db
    .selectFrom('v_user_progress')
    .select([
      'student_id',
      'course_id',
      'class_id',
      'quiz_passed',
      'quiz_attempts',
      'quiz_best_ratio',
      'quiz_score',
      'quiz_max_score',
      'quiz_last_attempt_at',
      'step_completed_at',
    ])
    .where('org_id', '=', orgId)
    .where('course_id', 'in', courseIds)
  if (studentId) query = query.where('student_id', '=', studentId)
  return query.execute()
}

/** A student's progress rows with the times that date their activity on each step (course progress). */
export async function activityOfStudent(db: Db, orgId: string, studentId: string) {
  return db
    .selectFrom('v_user_progress')
    .select([
      'course_id',
      'class_id',
      'video_started_at',
      'acknowledged_at',
      'quiz_last_attempt_at',
      'step_completed_at',
    ])
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .execute()
}

/** When a student first attempted the quiz of each step (v_user_progress keeps only the last attempt). */
export async function firstQuizAttemptsOf(db: Db, orgId: string, studentId: string) {
  const rows = await db
    .selectFrom('lms_signal')
    .select(['class_id', (eb) => eb.fn.min('occurred_at').as('first_at')])
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .where('type', '=', 'QUIZ_ATTEMPTED')
    .groupBy('class_id')
    .execute()
  return new Map(rows.map((r) => [r.class_id ?? '', String(r.first_at)]))
}
