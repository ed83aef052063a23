import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Notifications: the mail outbox, the in-app inbox and each member's preferences.
//
// `mail_outbox` holds every e-mail Sillon writes, queued in the transaction of what caused it; a job sends
// the queued ones (once across nodes: a row is claimed until `claimed_until` before it is sent) and tries
// again later (`next_attempt_at`) while the SMTP server is unreachable. Without an SMTP server the rows are
// kept as `not_sent`, for the school's mail log. `dedupe_key` makes a retried cause queue one e-mail.
// org_id is null for mails that belong to no school (an account's own mails); `user_id` names the
// recipient's account when there is one (invitations go to addresses without one).
//
// `notifications` is one row per recipient; (org_id, user_id, key) is unique so that the same cause twice
// notifies once. `about_id` names the person a notification is about (a message's author, a student at
// risk: an account or a student profile id), so that erasing them removes what others were told of them. `email_due_at` is when an unread one becomes an e-mail (messages: after the digest delay),
// `emailed_at` when it did (or was settled without one).

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'text')
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', t.timestamp, (c) => c.notNull())
    .addColumn('claimed_until', t.timestamp)
    .addColumn('last_error', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('sent_at', t.timestamp)
    .execute()
  await db.schema
    .createIndex('mail_outbox_due')
    .on('mail_outbox')
    .columns(['status', 'next_attempt_at'])
    .execute()
  await db.schema
    .createIndex('mail_outbox_org_time')
    .on('mail_outbox')
    .columns(['org_id', 'created_at', 'id'])
    .execute()

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('about_id', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text')
    .addColumn('params_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('link', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('read_at', t.timestamp)
    .addColumn('email_due_at', t.timestamp)
    .addColumn('emailed_at', t.timestamp)
    .addUniqueConstraint('notifications_key', ['org_id', 'user_id', 'key'])
    .execute()
  await db.schema
    .createIndex('notifications_inbox')
    .on('notifications')
    .columns(['org_id', 'user_id', 'read_at', 'created_at'])
    .execute()
  await db.schema
    .createIndex('notifications_email_due')
    .on('notifications')
    .columns(['email_due_at', 'emailed_at'])
    .execute()

  await db.schema
    .createTable('notification_preferences')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('about_id', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_preferences_pk', ['org_id', 'user_id', 'category'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_preferences').execute()
  await db.schema.dropTable('notifications').execute()
  await db.schema.dropTable('mail_outbox').execute()
}
