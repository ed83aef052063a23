import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Messaging: conversations (direct between two members, or a group), who takes part in each, and their
// messages. People are named by account id without a foreign key to users: an erased person's ids become
// pseudonyms that no account row holds, and the thread stays for the others. A direct conversation has a
// key made of its two members' ids, unique in the school, so that asking again finds it. Messages are
// numbered within their conversation (`position`, from the conversation's `last_position`), which orders pages and
// counts what a participant has not read; `client_id` makes a retried post find the message it stored.
// The school's `student_messaging` setting lets students write to one another (off by default).

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .alterTable('organisations')
    .addColumn('student_messaging', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('direct_key', 'text')
    .addColumn('course_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_id', 'text')
    .addColumn('last_activity_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('conversations_direct_key', ['org_id', 'direct_key'])
    .execute()
  await db.schema
    .createTable('conversation_participants')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('joined_at', t.timestamp, (c) => c.notNull())
    .addColumn('left_at', t.timestamp)
    .addColumn('last_read_position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_read_message_id', 'text')
    .addPrimaryKeyConstraint('conversation_participants_pk', ['org_id', 'conversation_id', 'user_id'])
    .execute()
  await db.schema
    .createIndex('conversation_participants_user')
    .on('conversation_participants')
    .columns(['org_id', 'user_id'])
    .execute()
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('edited_at', t.timestamp)
    .addColumn('deleted_at', t.timestamp)
    .addUniqueConstraint('messages_client_id', ['org_id', 'author_id', 'client_id'])
    .addUniqueConstraint('messages_position', ['org_id', 'conversation_id', 'position'])
    .execute()
  // The rate limit counts an author's recent messages.
  await db.schema
    .createIndex('messages_author_time')
    .on('messages')
    .columns(['org_id', 'author_id', 'created_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('messages').execute()
  await db.schema.dropTable('conversation_participants').execute()
  await db.schema.dropTable('conversations').execute()
  await db.schema.alterTable('organisations').dropColumn('student_messaging').execute()
}
