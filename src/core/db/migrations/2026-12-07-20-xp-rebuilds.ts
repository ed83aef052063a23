import { type Kysely, sql } from 'kysely'
import { columnTypes } from '../column-types.ts'

// A school's admin pays its students' past activity again at new XP amounts from the settings page: a
// background job replays the school's signals, and its progress is kept here so that the page shows it
// after a reload. One run at a time per school: a partial unique index refuses a second queued or running
// one, on every node. The job reads one school's signals in log order (index on org_id, seq).

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('gamification_xp_rebuild')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('target_seq', t.bigint)
    .addColumn('cursor_seq', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('requested_at', t.timestamp, (c) => c.notNull())
    .addColumn('started_at', t.timestamp)
    .addColumn('finished_at', t.timestamp)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('error', 'text')
    .execute()
  // Runs are numbered per school, so the latest is the highest number even within one millisecond.
  await db.schema
    .createIndex('gamification_xp_rebuild_org_number')
    .unique()
    .on('gamification_xp_rebuild')
    .columns(['org_id', 'number'])
    .execute()
  await sql`create unique index gamification_xp_rebuild_one_active on gamification_xp_rebuild (org_id)
    where status in ('queued', 'running')`.execute(db)
  await db.schema.createIndex('lms_signal_org_seq').on('lms_signal').columns(['org_id', 'seq']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('lms_signal_org_seq').execute()
  await db.schema.dropTable('gamification_xp_rebuild').execute()
}
