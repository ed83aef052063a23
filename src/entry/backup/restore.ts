import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { sql } from 'kysely'
import { systemClock } from '../../core/clock.ts'
import type { Config } from '../../core/config.ts'
import { knownMigrations, migrateToLatest } from '../../core/db/migrate.ts'
import {
  BackupError,
  extractArchive,
  FILES_PREFIX,
  type Manifest,
  POSTGRES_ENTRY,
  SECRET_ENTRY,
  SQLITE_ENTRY,
  verifyArchive,
} from './archive.ts'
import { auditBackup } from './audit.ts'
import { filesDir, secretFile, sqliteFile } from './backup.ts'
import { migrationLevel, withConfiguredDatabase } from './database.ts'
import { restorePostgres } from './postgres-tools.ts'

export type RestoreResult = { manifest: Manifest; migrated: string[] }

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

/** What the data directory already holds that a restore would overwrite. */
async function occupiedInDataDir(config: Config): Promise<string[]> {
  const found: string[] = []
  const database = sqliteFile(config)
  if (!config.DATABASE_URL) {
    for (const path of [database, `${database}-wal`]) if (await exists(path)) found.push(path)
    if (await exists(secretFile(config))) found.push(secretFile(config))
  }
  const files = await readdir(filesDir(config)).catch(() => [])
  if (files.length > 0) found.push(`${filesDir(config)} (${files.length} entries)`)
  return found
}

async function postgresTables(config: Config): Promise<string[]> {
  return withConfiguredDatabase(config, '', async (handle) => {
    const { rows } = await sql<{ name: string }>`
      select table_schema || '.' || table_name as name from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema') order by 1 limit 5`.execute(handle.db)
    return rows.map((r) => r.name)
  })
}

/** Refuses what this build cannot restore, or where it would overwrite something: before any write. */
async function assertRestorable(config: Config, file: string, manifest: Manifest): Promise<void> {
  if (manifest.dialect !== config.dialect) {
    const setting = config.dialect === 'sqlite' ? 'DATABASE_URL is unset' : 'DATABASE_URL is set'
    throw new BackupError(
      `${file} is a ${manifest.dialect} backup, but this Sillon uses ${config.dialect} (${setting})`,
    )
  }
  if (!knownMigrations.includes(manifest.migration)) {
    throw new BackupError(
      `${file} holds a database at migration ${manifest.migration}, which this Sillon does not know (its latest is ${knownMigrations.at(-1)}): it comes from a newer Sillon; upgrade before restoring it`,
    )
  }
  const occupied = await occupiedInDataDir(config)
  if (occupied.length > 0) {
    throw new BackupError(
      `the data directory is not empty; restore only into an empty one (nothing was changed). Found: ${occupied.join(', ')}`,
    )
  }
  if (config.DATABASE_URL) {
    const tables = await postgresTables(config)
    if (tables.length > 0) {
      throw new BackupError(
        `the database is not empty; restore only into a new, empty database (nothing was changed). Found tables: ${tables.join(', ')}`,
      )
    }
  }
}

/**
 * Checks that the restored database is the one the manifest describes, brings it to the latest schema and
 * records the restore in its audit log. A SQLite file that fails here was never moved into place.
 */
async function migrateAndRecord(config: Config, sqliteFile: string, file: string, manifest: Manifest) {
  try {
    return await withConfiguredDatabase(config, sqliteFile, async (handle) => {
      const level = await migrationLevel(handle)
      if (level !== manifest.migration)
        throw new BackupError(
          `the database in ${file} is at migration ${level ?? '(none)'}, not ${manifest.migration} as its manifest says`,
        )
      const migrated = await migrateToLatest(handle.db)
      await auditBackup(handle, systemClock, 'backup.restored', file, manifest, { migrated })
      // Everything into the one file that is moved into place: no write-ahead log left beside it.
      if (handle.dialect === 'sqlite') await sql`pragma journal_mode = delete`.execute(handle.db)
      return migrated
    })
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    const outcome = config.DATABASE_URL
      ? 'pg_restore committed the dump: drop and recreate the database before trying again'
      : 'nothing was restored'
    throw new BackupError(`${file} could not be restored: ${reason} (${outcome})`)
  }
}

/**
 * `sillon restore <file>`: checks the whole archive, then that this build knows its schema and that the
 * target is empty, before writing anything. The archive is extracted into a folder inside DATA_DIR and its
 * parts moved into place at the end (the SQLite file last, after it has been migrated to the latest schema);
 * on PostgreSQL, pg_restore loads the dump in one transaction, then the migrations run.
 */
export async function restoreBackup(config: Config, file: string): Promise<RestoreResult> {
  const manifest = await verifyArchive(file)
  await assertRestorable(config, file, manifest)
  await mkdir(config.DATA_DIR, { recursive: true })
  const staging = await mkdtemp(join(config.DATA_DIR, '.restore-'))
  try {
    await extractArchive(file, staging, manifest)
    const has = (path: string) => manifest.entries.some((e) => e.path === path)
    let migrated: string[]
    if (config.DATABASE_URL) {
      if (!has(POSTGRES_ENTRY)) throw new BackupError(`${file} holds no PostgreSQL dump`)
      await restorePostgres(config.DATABASE_URL, join(staging, POSTGRES_ENTRY))
      migrated = await migrateAndRecord(config, '', file, manifest)
    } else {
      if (!has(SQLITE_ENTRY)) throw new BackupError(`${file} holds no SQLite database`)
      migrated = await migrateAndRecord(config, join(staging, SQLITE_ENTRY), file, manifest)
    }
    if (manifest.entries.some((e) => e.path.startsWith(FILES_PREFIX))) {
      await rm(filesDir(config), { recursive: true, force: true }) // empty, checked above
      await rename(join(staging, FILES_PREFIX), filesDir(config))
    }
    if (has(SECRET_ENTRY) && !config.SESSION_SECRET) {
      await chmod(join(staging, SECRET_ENTRY), 0o600)
      await rename(join(staging, SECRET_ENTRY), secretFile(config))
    }
    // Last: the app finds a database only once everything else is in place.
    if (!config.DATABASE_URL) await rename(join(staging, SQLITE_ENTRY), sqliteFile(config))
    return { manifest, migrated }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}
