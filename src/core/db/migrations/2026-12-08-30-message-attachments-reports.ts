import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Messaging extras: files attached to messages, and messages reported to the school's staff.
// An attachment is uploaded into one conversation first (`message_id` null), then claimed by the message
// that names it, in the message's transaction; its bytes live in the file store under `file_key`. A report
// is one reporter's about one message: at most one per reporter and message, so reporting again finds it.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('message_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('message_id', 'text', (c) => c.references('messages.id').onDelete('cascade'))
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('file_key', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_type', 'text', (c) => c.notNull())
    .addColumn('file_size', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('message_attachments_message')
    .on('message_attachments')
    .columns(['org_id', 'message_id'])
    .execute()
  await db.schema
    .createTable('message_reports')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('reporter_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    // Why the message was reported; null once the reporter is erased.
    .addColumn('reason', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('message_reports_pk', ['org_id', 'message_id', 'reporter_id'])
    .execute()
  await db.schema
    .createIndex('message_reports_time')
    .on('message_reports')
    .columns(['org_id', 'created_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('message_reports').execute()
  await db.schema.dropTable('message_attachments').execute()
}
