import { execFile } from 'node:child_process'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Config } from '../../core/config.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'

const NIGHTLY_ARCHIVE = /^sillon-[0-9TZ-]+\.tar\.gz$/

const backupDir = (config: Config) => config.BACKUP_DIR ?? join(config.DATA_DIR, 'backups')

/** The archive of one scheduled run: named after its period (UTC), so names sort by age. */
function archiveName(period: string): string {
  return `sillon-${period.replace(/[:.]/g, '-')}.tar.gz`
}

const SILLON = fileURLToPath(new URL('../../../bin/sillon.js', import.meta.url))

/**
 * `sillon backup <file>` in a child process: VACUUM INTO runs synchronously, and in the server's process it
 * would hold up every request for as long as the copy takes.
 */
async function backupInChildProcess(config: Config, file: string): Promise<void> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: config.DATA_DIR,
    DATABASE_URL: undefined,
    SESSION_SECRET: config.SESSION_SECRET,
    SQLITE_BUSY_TIMEOUT_MS: String(config.SQLITE_BUSY_TIMEOUT_MS),
    LOG_LEVEL: 'warn',
  }
  try {
    await promisify(execFile)(process.execPath, [SILLON, 'backup', file], { env })
  } catch (err) {
    const { stderr } = err as { stderr?: string }
    throw new Error(`sillon backup failed: ${stderr?.trim() || (err as Error).message}`)
  }
}

/**
 * Keeps the newest `keep` nightly archives of `dir` and deletes the others; archives of other names (one
 * made by hand with `sillon backup`) are left alone. Returns the names deleted.
 */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const archives = (await readdir(dir)).filter((name) => NIGHTLY_ARCHIVE.test(name)).sort()
  const stale = archives.slice(0, Math.max(0, archives.length - keep))
  for (const name of stale) await rm(join(dir, name), { force: true })
  return stale
}

/**
 * Embedded mode's nightly backup: an archive in BACKUP_DIR at BACKUP_CRON (the server's time zone), then
 * the oldest beyond BACKUP_KEEP are deleted. A run for a period whose archive exists only prunes.
 */
export function nightlyBackupJob(config: Config): ScheduledJob {
  const dir = backupDir(config)
  return {
    name: 'backup.nightly',
    description: `backs up the database and uploaded files into ${dir}, keeping the newest ${config.BACKUP_KEEP}`,
    schedule: { cron: config.BACKUP_CRON, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone },
    timeoutMs: 60 * 60_000,
    async run(ctx) {
      await mkdir(dir, { recursive: true })
      const file = join(dir, archiveName(ctx.period))
      const done = await stat(file).then(
        () => true,
        () => false,
      )
      if (!done) await backupInChildProcess(config, file)
      const removed = await pruneBackups(dir, config.BACKUP_KEEP)
      ctx.logger.info({ file, removed }, 'nightly backup written')
      return { file, removed }
    },
  }
}
