import { type Kysely, PostgresAdapter, sql } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Event ids are idempotency keys chosen by clients: they name a fact within one school. The log was unique
// on `id` alone, so a school could learn that another had used an id (409) and could not store its own
// event under it. The key becomes (org_id, id), every row kept with its `seq`.
//
// The hearts gate counts a student's failed quiz attempts from the log, past what the hearts read model
// has applied: `hearts.last_attempt_event_id` says where that is, and a partial index finds a student's
// quiz attempts without reading their video pings.

/** SQLite cannot change a column's UNIQUE: the log is copied into a table with this key, seq values kept. */
async function rebuildEventLogOnSqlite(
  db: Kysely<unknown>,
  key: { name: string; columns: ('org_id' | 'id')[] },
) {
  const t = columnTypes(db)
  // No transaction of its own: the migrator runs the migrations in one (see connect-node.ts).
  const indexes = await sql<{ sql: string }>`select sql from sqlite_master
    where type = 'index' and tbl_name = 'lms_event' and sql is not null`.execute(db)
  const sequence = await sql<{ seq: number }>`select seq from sqlite_sequence
    where name = 'lms_event'`.execute(db)
  await db.schema
    .createTable('lms_event_by_school')
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('class_id', 'text')
    .addColumn('occurred_at', t.timestamp, (c) => c.notNull())
    .addColumn('received_at', t.timestamp, (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('context_json', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint(key.name, key.columns)
    .execute()
  await sql`insert into lms_event_by_school (seq, id, org_id, type, version, student_id, course_id,
    class_id, occurred_at, received_at, payload_json, context_json, created_at)
    select seq, id, org_id, type, version, student_id, course_id, class_id, occurred_at, received_at,
    payload_json, context_json, created_at from lms_event`.execute(db)
  await db.schema.dropTable('lms_event').execute()
  await db.schema.alterTable('lms_event_by_school').renameTo('lms_event').execute()
  for (const index of indexes.rows) await sql.raw(index.sql).execute(db)
  // A seq once handed out is never handed out again, even if its row is gone.
  const last = sequence.rows[0]?.seq
  if (last !== undefined) {
    await sql`update sqlite_sequence set seq = max(seq, ${last}) where name = 'lms_event'`.execute(db)
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table lms_event drop constraint lms_event_id_key`.execute(db)
    await sql`alter table lms_event add constraint lms_event_org_id unique (org_id, id)`.execute(db)
  } else {
    await rebuildEventLogOnSqlite(db, { name: 'lms_event_org_id', columns: ['org_id', 'id'] })
  }
  await sql`create index lms_event_org_student_quiz on lms_event (org_id, student_id, seq)
    where type = 'QUIZ_SUBMIT'`.execute(db)

  await db.schema.alterTable('hearts').addColumn('last_attempt_event_id', 'text').execute()
  // Rows kept so far have applied every attempt whose QUIZ_ATTEMPTED signal the hearts reactor has read.
  await sql`update hearts set last_attempt_event_id = (
      select e.id from lms_event e
      join lms_signal s on s.id = 'QUIZ_ATTEMPTED:' || e.student_id || ':' || e.id
      where e.org_id = hearts.org_id and e.student_id = hearts.student_id and e.type = 'QUIZ_SUBMIT'
        and s.seq <= coalesce(
          (select seq from projection_checkpoints where name = 'gamification_hearts'), 0)
      order by e.seq desc limit 1)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('hearts').dropColumn('last_attempt_event_id').execute()
  await db.schema.dropIndex('lms_event_org_student_quiz').execute()
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table lms_event drop constraint lms_event_org_id`.execute(db)
    await sql`alter table lms_event add constraint lms_event_id_key unique (id)`.execute(db)
  } else {
    await rebuildEventLogOnSqlite(db, { name: 'lms_event_id_key', columns: ['id'] })
  }
}
