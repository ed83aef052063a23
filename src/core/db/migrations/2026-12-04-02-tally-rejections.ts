import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Deliveries to /api/tally-hook that no signing secret authenticates are no longer kept whole: anyone can
// call that URL, and a row per body filled the disk. What a school needs to see why a form's responses do
// not arrive (form, reason, time, size, the start of the body) goes to a small table, capped per school
// and pruned by a job. Bodies already kept without a school were shown to nobody: they go.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('tally_rejections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('form_id', 'text', (c) => c.notNull())
    .addColumn('tally_event_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('excerpt', 'text', (c) => c.notNull())
    .addColumn('received_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('tally_rejections_org_received')
    .on('tally_rejections')
    .columns(['org_id', 'received_at'])
    .execute()
  await db.schema
    .createIndex('tally_rejections_received')
    .on('tally_rejections')
    .column('received_at')
    .execute()
  await (db as Kysely<{ tally_inbox: { org_id: string | null } }>)
    .deleteFrom('tally_inbox')
    .where('org_id', 'is', null)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tally_rejections').execute()
}
