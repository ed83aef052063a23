import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Failed sign-ins are counted per account and per client address in fixed windows, in the database so that
// every node sees the same counts. They are not better-auth's `auth_rate_limits`: better-auth prunes those rows
// after its own (one-minute) window and counts every request, successful or not.
// An invitation keeps the name the administrator gave, offered to the person when they create their account.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('window_start', t.bigint, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('sign_in_failures_window_start')
    .on('sign_in_failures')
    .column('window_start')
    .execute()
  await db.schema.alterTable('invitations').addColumn('name', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('invitations').dropColumn('name').execute()
  await db.schema.dropTable('sign_in_failures').execute()
}
