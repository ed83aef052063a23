import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Retention of former members' personal data (privacy module): a school's setting (how many days after
// leaving; null keeps them), and when each former member was first seen gone, which the daily retention
// job records (a removed member keeps their profile, and no other row says when they left).

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('privacy_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('retention_days', 'integer')
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('privacy_departures')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('left_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('privacy_departures_pk', ['org_id', 'user_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('privacy_departures').execute()
  await db.schema.dropTable('privacy_settings').execute()
}
