import { type Kysely, PostgresAdapter, sql } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Signals become a log of their own: a monotonic `seq` that reactors (gamification, mastery) checkpoint
// on, as projectors do on `lms_event.seq`; and `course_id` may be empty, for signals about a student
// rather than a course (streak days, hearts). SQLite cannot add an auto-increment column: the table is
// rebuilt, its rows kept in the order they were written.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  if (postgres) {
    await sql`alter table lms_signal add column seq bigserial`.execute(db)
    await sql`alter table lms_signal alter column course_id drop not null`.execute(db)
    await db.schema.createIndex('lms_signal_seq').unique().on('lms_signal').column('seq').execute()
    return
  }
  await db.schema
    .createTable('lms_signal_log')
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text')
    .addColumn('class_id', 'text')
    .addColumn('occurred_at', t.timestamp, (c) => c.notNull())
    .addColumn('source_event_ids_json', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await sql`insert into lms_signal_log (id, org_id, type, student_id, course_id, class_id, occurred_at,
      source_event_ids_json, payload_json, created_at)
    select id, org_id, type, student_id, course_id, class_id, occurred_at, source_event_ids_json,
      payload_json, created_at from lms_signal order by rowid`.execute(db)
  await db.schema.dropTable('lms_signal').execute()
  await sql`alter table lms_signal_log rename to lms_signal`.execute(db)
  await db.schema
    .createIndex('lms_signal_org_student_type')
    .on('lms_signal')
    .columns(['org_id', 'student_id', 'type'])
    .execute()
}

export async function down(): Promise<void> {
  throw new Error('the signal log cannot be turned back into a table without seq')
}
