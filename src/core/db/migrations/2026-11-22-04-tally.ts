import { type Kysely, PostgresAdapter, sql } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Tally webhooks: the inbox that keeps responses Sillon could not map to a quiz attempt, and an index
// for finding the steps of a Tally form across every school (the webhook carries no credentials).

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter

  // org_id is null when no school could be proven to own the form (unknown form, no valid signature).
  await db.schema
    .createTable('tally_inbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.references('organisations.id').onDelete('cascade'))
    .addColumn('form_id', 'text', (c) => c.notNull())
    .addColumn('tally_event_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('received_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('tally_inbox_org_received')
    .on('tally_inbox')
    .columns(['org_id', 'received_at'])
    .execute()

  // Must be the very expression catalog's findTallySteps filters on, or the index is not used.
  const formId = postgres
    ? sql`(tally_json::jsonb ->> 'form_id')`
    : sql`json_extract(tally_json, '$.form_id')`
  await sql`create index quizzes_tally_form on quizzes (${formId}) where kind = 'tally'`.execute(db)
  // From a form's quiz to its step (also what deleting a quiz walks to clear lms_class.quiz_id).
  await db.schema.createIndex('lms_class_quiz').on('lms_class').column('quiz_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('lms_class_quiz').execute()
  await db.schema.dropIndex('quizzes_tally_form').execute()
  await db.schema.dropTable('tally_inbox').execute()
}
