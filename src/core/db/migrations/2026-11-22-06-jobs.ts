import { type Kysely, sql } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Job runs: one row per run of a scheduled or queued job, with its outcome and duration.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('job_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_name', 'text', (c) => c.notNull())
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.references('organisations.id').onDelete('cascade'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .addColumn('duration_ms', 'integer')
    .addColumn('error', 'text')
    .execute()
  // The once-per-period guarantee, on every node and both dialects: one run at a time may be running or
  // done per (job, period, organisation). Failed and skipped runs stay as history beside it, so a failed
  // period can be retried. coalesce: NULLs never collide in a unique index, and global jobs have no org.
  await sql`create unique index job_runs_once on job_runs (job_name, period_key, coalesce(org_id, '')) where outcome in ('running', 'ok')`.execute(
    db,
  )
  await db.schema
    .createIndex('job_runs_job_started')
    .on('job_runs')
    .columns(['job_name', 'started_at'])
    .execute()
  await db.schema.createIndex('job_runs_started').on('job_runs').column('started_at').execute()
  // An organisation's runs, and the cascade when an organisation is deleted.
  await db.schema
    .createIndex('job_runs_org')
    .on('job_runs')
    .columns(['org_id', 'job_name', 'started_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_runs').execute()
}
