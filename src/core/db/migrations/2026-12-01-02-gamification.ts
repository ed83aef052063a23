import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Gamification's shared tables: each school's settings (XP amounts, hearts, streaks) and the XP ledger,
// one row per cause under a deterministic id, so a retried or replayed signal never pays twice.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('gamification_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('xp_ledger')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('occurred_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('xp_ledger_org_student_time')
    .on('xp_ledger')
    .columns(['org_id', 'student_id', 'occurred_at'])
    .execute()
  await db.schema
    .createIndex('xp_ledger_org_time')
    .on('xp_ledger')
    .columns(['org_id', 'occurred_at', 'student_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['xp_ledger', 'gamification_settings']) await db.schema.dropTable(table).execute()
}
