import type { Db } from '../db/database.ts'
import type { JobOutcome, JobRunRow } from './tables.ts'

type RunKey = { jobName: string; period: string; orgId: string | null }

function sameRun(key: RunKey) {
  return (db: Db) => {
    const query = db
      .selectFrom('job_runs')
      .where('job_name', '=', key.jobName)
      .where('period_key', '=', key.period)
    return key.orgId === null ? query.where('org_id', 'is', null) : query.where('org_id', '=', key.orgId)
  }
}

/**
 * Inserts the run as `running`, unless a run of the same key is running or done (the unique index
 * `job_runs_once` refuses it, on every node). A `running` row older than `staleBefore` belongs to a
 * process that died: it is recorded as failed first, so the period can be claimed again.
 */
export async function claimRun(db: Db, row: JobRunRow, staleBefore: string): Promise<boolean> {
  const key = { jobName: row.job_name, period: row.period_key, orgId: row.org_id }
  const stale = await sameRun(key)(db)
    .select('id')
    .where('outcome', '=', 'running')
    .where('started_at', '<', staleBefore)
    .execute()
  if (stale.length > 0) {
    await db
      .updateTable('job_runs')
      .set({
        outcome: 'failed',
        finished_at: row.started_at,
        error: 'abandoned: the process running it stopped before recording an outcome',
      })
      .where(
        'id',
        'in',
        stale.map((s) => s.id),
      )
      .where('outcome', '=', 'running')
      .execute()
  }
  const inserted = await db
    .insertInto('job_runs')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst()
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1
}

/** The run that holds the key: running now, or done. */
export async function holderOf(db: Db, key: RunKey) {
  return sameRun(key)(db)
    .select(['id', 'outcome', 'started_at'])
    .where('outcome', 'in', ['running', 'ok'])
    .executeTakeFirst()
}

export async function insertRun(db: Db, row: JobRunRow): Promise<void> {
  await db.insertInto('job_runs').values(row).execute()
}

export async function finishRun(
  db: Db,
  id: string,
  result: { outcome: JobOutcome; finished_at: string; duration_ms: number; error: string | null },
): Promise<void> {
  await db.updateTable('job_runs').set(result).where('id', '=', id).where('outcome', '=', 'running').execute()
}

/** The latest run of each job that did run (skipped runs left out), by job name. */
export async function lastRuns(db: Db, jobNames: string[]): Promise<Map<string, JobRunRow>> {
  const found = new Map<string, JobRunRow>()
  for (const name of jobNames) {
    const row = await db
      .selectFrom('job_runs')
      .selectAll()
      .where('job_name', '=', name)
      .where('outcome', '<>', 'skipped')
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (row) found.set(name, row)
  }
  return found
}

export async function runsOf(db: Db, jobName: string): Promise<JobRunRow[]> {
  return db
    .selectFrom('job_runs')
    .selectAll()
    .where('job_name', '=', jobName)
    .orderBy('started_at')
    .orderBy('id')
    .execute()
}

/** Deletes the records of runs that started before `before` (runs in progress are kept). */
export async function deleteRunsBefore(db: Db, before: string): Promise<number> {
  const result = await db
    .deleteFrom('job_runs')
    .where('started_at', '<', before)
    .where('outcome', '<>', 'running')
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
