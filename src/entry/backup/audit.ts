import { basename } from 'node:path'
import type { Clock } from '../../core/clock.ts'
import type { DbHandle } from '../../core/db/database.ts'
import { cliActor, recordAudit } from '../../modules/audit/index.ts'
import type { Manifest } from './archive.ts'
import { hasTable } from './database.ts'

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
  if (!(await hasTable(handle, 'audit_log'))) return
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
