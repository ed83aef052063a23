import { basename } from 'node:path'
import { sql } from 'kysely'
import type { Clock } from '../../core/clock.ts'
import type { Config } from '../../core/config.ts'
import { openPostgres, openSqlite } from '../../core/db/connect-node.ts'
import type { DbHandle } from '../../core/db/database.ts'
import { cliActor, recordAudit } from '../../modules/audit/index.ts'
import type { Manifest } from './archive.ts'

async function hasAuditLog(handle: DbHandle): Promise<boolean> {
  const { rows } =
    handle.dialect === 'sqlite'
      ? await sql`select 1 from sqlite_master where type = 'table' and name = 'audit_log'`.execute(handle.db)
      : await sql`select 1 where to_regclass('audit_log') is not null`.execute(handle.db)
  return rows.length > 0
}

/**
 * Records a backup made, or restored, as a platform entry (no school) of the audit log, by the command
 * line. A database whose schema predates the audit log (backed up before an upgrade) gets no entry.
 */
export async function auditBackup(
  handle: DbHandle,
  clock: Clock,
  action: 'backup.created' | 'backup.restored',
  file: string,
  manifest: Manifest,
  details: Record<string, unknown> = {},
): Promise<void> {
  if (!(await hasAuditLog(handle))) return
  await recordAudit(
    { db: handle.db, clock },
    {
      orgId: null,
      actor: cliActor,
      action,
      target: { type: 'backup', id: null, label: basename(file) },
      details: {
        created_at: manifest.createdAt,
        sillon_version: manifest.sillonVersion,
        dialect: manifest.dialect,
        migration: manifest.migration,
        ...details,
      },
    },
  )
}

/** The configured database, opened for one piece of maintenance. */
export async function withConfiguredDatabase<T>(
  config: Config,
  sqliteFile: string,
  work: (handle: DbHandle) => Promise<T>,
): Promise<T> {
  const handle = config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, { max: 1 })
    : openSqlite(sqliteFile, { busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS })
  try {
    return await work(handle)
  } finally {
    await handle.close()
  }
}
