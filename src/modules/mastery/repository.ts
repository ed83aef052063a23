import type { Insertable } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import type { CourseMasteryRow, MasteryQuestionRow, SkillMasteryRow } from './tables.ts'

// Reactors read and write rows of many schools in one batch; they key every row by org_id first, and
// read functions take the school first.

/** The question evidence of one student in one course, in a stable order (sums are order-sensitive). */
export async function questionsOf(db: Db, orgId: string, studentId: string, courseId: string) {
  return db
    .selectFrom('mastery_question')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .where('course_id', '=', courseId)
    .orderBy('class_id')
    .orderBy('question_id')
    .execute()
}

export async function saveQuestions(db: Db, rows: Insertable<MasteryQuestionRow>[]) {
  for (const row of rows) {
    await db
      .insertInto('mastery_question')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['org_id', 'student_id', 'course_id', 'class_id', 'question_id']).doUpdateSet({
          points: row.points,
          attempts: row.attempts,
          best_credit: row.best_credit,
          last_seq: row.last_seq,
          updated_at: row.updated_at,
        }),
      )
      .execute()
  }
}

export async function courseMasteryRow(db: Db, orgId: string, studentId: string, courseId: string) {
  return db
    .selectFrom('v_course_mastery')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .where('course_id', '=', courseId)
    .executeTakeFirst()
}

export async function courseMasteryOfStudents(db: Db, orgId: string, courseId: string) {
  return db
    .selectFrom('v_course_mastery')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .execute()
}

export async function saveCourseMastery(db: Db, row: Insertable<CourseMasteryRow>) {
  await db
    .insertInto('v_course_mastery')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['org_id', 'student_id', 'course_id']).doUpdateSet({
        score: row.score,
        questions: row.questions,
        points: row.points,
        attempts: row.attempts,
        last_attempt_at: row.last_attempt_at,
        last_seq: row.last_seq,
      }),
    )
    .execute()
}

export async function deleteCourseMastery(db: Db) {
  await db.deleteFrom('mastery_question').execute()
  await db.deleteFrom('v_course_mastery').execute()
}

export async function skillsOf(db: Db, orgId: string, studentId: string, skills?: string[]) {
  if (skills?.length === 0) return []
  let query = db
    .selectFrom('v_skill_mastery')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
  if (skills) query = query.where('skill', 'in', skills)
  return query.orderBy('skill').execute()
}

export async function saveSkills(db: Db, rows: Insertable<SkillMasteryRow>[]) {
  for (const row of rows) {
    await db
      .insertInto('v_skill_mastery')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['org_id', 'student_id', 'skill']).doUpdateSet({
          weighted_sum: row.weighted_sum,
          weight_total: row.weight_total,
          score: row.score,
          attempts: row.attempts,
          correct: row.correct,
          last_practised_at: row.last_practised_at,
          last_seq: row.last_seq,
        }),
      )
      .execute()
  }
}

export async function deleteSkillMastery(db: Db) {
  await db.deleteFrom('v_skill_mastery').execute()
}

export async function courseMasteryOf(db: Db, orgId: string, studentId: string) {
  return db
    .selectFrom('v_course_mastery')
    .select(['course_id', 'score', 'questions', 'points', 'attempts', 'last_attempt_at'])
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .orderBy('course_id')
    .execute()
}

/** Per course of the school, how many students have a mastery score and their average. */
export async function averageByCourse(db: Db, orgId: string) {
  const rows = await db
    .selectFrom('v_course_mastery')
    .select([
      'course_id',
      (eb) => eb.fn.countAll<number | string>().as('students'),
      (eb) => eb.fn.avg<number | string>('score').as('average_score'),
    ])
    .where('org_id', '=', orgId)
    .groupBy('course_id')
    .orderBy('course_id')
    .execute()
  return rows.map((r) => ({
    course_id: r.course_id,
    students: Number(r.students),
    average_score: Number(r.average_score),
  }))
}
