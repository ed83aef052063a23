import { type Kysely, PostgresAdapter } from 'kysely'
import { columnTypes } from '../column-types.ts'

// The audit log: who did which administrative action, on what, when and from where. Append-only by the
// code (no route or service updates or deletes an entry, except the pseudonymisation of an erased person),
// not by a trigger, which would forbid that pseudonymisation. org_id is null for platform entries (a
// superadmin granted, a restore), and has no foreign key: a school's log outlives the school's rows.
// Pages are read newest first within a school (org_id, occurred_at), or across the platform (occurred_at);
// `seq`, the order of writing, orders the entries of one millisecond.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', 'text')
    .addColumn('occurred_at', t.timestamp, (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('target_label', 'text')
    .addColumn('details_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute()
  await db.schema
    .createIndex('audit_log_org_time')
    .on('audit_log')
    .columns(['org_id', 'occurred_at', 'seq'])
    .execute()
  await db.schema.createIndex('audit_log_time').on('audit_log').columns(['occurred_at', 'seq']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute()
}
