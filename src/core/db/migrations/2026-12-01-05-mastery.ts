import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Mastery, kept by its reactors from QUIZ_ATTEMPTED signals (rebuildable): the best evidence per student
// and question of a course, each student's course mastery (`v_course_mastery`) and skill mastery
// (`v_skill_mastery`, before the decay applied when read).

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('mastery_question')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('class_id', 'text', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('points', t.double, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('best_credit', t.double, (c) => c.notNull())
    .addColumn('last_seq', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('mastery_question_pk', [
      'org_id',
      'student_id',
      'course_id',
      'class_id',
      'question_id',
    ])
    .execute()

  await db.schema
    .createTable('v_course_mastery')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('score', t.double, (c) => c.notNull())
    .addColumn('questions', 'integer', (c) => c.notNull())
    .addColumn('points', t.double, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_attempt_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_seq', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('v_course_mastery_pk', ['org_id', 'student_id', 'course_id'])
    .execute()
  // The school overview averages each course over its students.
  await db.schema
    .createIndex('v_course_mastery_org_course')
    .on('v_course_mastery')
    .columns(['org_id', 'course_id'])
    .execute()

  await db.schema
    .createTable('v_skill_mastery')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('skill', 'text', (c) => c.notNull())
    .addColumn('weighted_sum', t.double, (c) => c.notNull())
    .addColumn('weight_total', t.double, (c) => c.notNull())
    .addColumn('score', t.double, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('correct', 'integer', (c) => c.notNull())
    .addColumn('last_practised_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_seq', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('v_skill_mastery_pk', ['org_id', 'student_id', 'skill'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['v_skill_mastery', 'v_course_mastery', 'mastery_question']) {
    await db.schema.dropTable(table).execute()
  }
}
