import { copyFile, link, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import SQLite from 'better-sqlite3'
import packageJson from '../../../package.json' with { type: 'json' }
import type { Clock } from '../../core/clock.ts'
import type { Config } from '../../core/config.ts'
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  BackupError,
  describeEntry,
  FILES_PREFIX,
  type Manifest,
  POSTGRES_ENTRY,
  SECRET_ENTRY,
  SQLITE_ENTRY,
  writeArchive,
} from './archive.ts'
import { auditBackup } from './audit.ts'
import { migrationLevel, withConfiguredDatabase } from './database.ts'
import { dumpPostgres } from './postgres-tools.ts'

export const sqliteFile = (config: Config) => join(config.DATA_DIR, 'sillon.db')
export const filesDir = (config: Config) => join(config.DATA_DIR, 'files')
export const secretFile = (config: Config) => join(config.DATA_DIR, 'session-secret')

const KEY_PART = /^[A-Za-z0-9-]+$/

/**
 * A consistent copy of the live SQLite file. VACUUM INTO reads in one transaction: in WAL mode the server
 * keeps writing meanwhile, and the copy holds exactly what was committed when it began. (The online backup
 * API would start over each time another connection writes, which under steady traffic may be forever.)
 */
function snapshotSqlite(source: string, target: string, busyTimeoutMs: number): string {
  const db = new SQLite(source, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs })
  try {
    db.prepare('vacuum into ?').run(target)
  } finally {
    db.close()
  }
  const copy = new SQLite(target, { readonly: true })
  try {
    const row = copy.prepare('select max(name) as name from kysely_migration').get() as { name?: unknown }
    return migrationLevelOf(row.name)
  } finally {
    copy.close()
  }
}

function migrationLevelOf(name: unknown): string {
  if (typeof name !== 'string')
    throw new BackupError('the database has no migration applied: nothing to back up')
  return name
}

async function snapshotPostgres(config: Config, target: string): Promise<string> {
  // Read first: the dump then holds this level or a later one, which the server would only reach by being
  // upgraded during the backup.
  const level = migrationLevelOf(await withConfiguredDatabase(config, '', migrationLevel))
  await dumpPostgres(config.DATABASE_URL as string, target)
  return level
}

/**
 * Uploaded files are written once under a new name and never changed: a hard link into the staging folder
 * holds each as it is now, whatever the server deletes meanwhile (a copy when the link cannot be made).
 */
async function stageFiles(config: Config, staging: string): Promise<string[]> {
  const root = filesDir(config)
  const staged: string[] = []
  const owners = await readdir(root, { withFileTypes: true }).catch(() => [])
  for (const owner of owners) {
    if (!owner.isDirectory() || !KEY_PART.test(owner.name)) continue
    const names = await readdir(join(root, owner.name), { withFileTypes: true })
    for (const name of names) {
      // Skips files still being written (`<key>.<uuid>.part`).
      if (!name.isFile() || !KEY_PART.test(name.name)) continue
      const path = `${FILES_PREFIX}${owner.name}/${name.name}`
      const target = join(staging, path)
      await mkdir(dirname(target), { recursive: true })
      try {
        await link(join(root, owner.name, name.name), target)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') continue // deleted since it was listed
        await copyFile(join(root, owner.name, name.name), target)
      }
      staged.push(path)
    }
  }
  return staged
}

/**
 * `sillon backup <file>`: the database (a consistent snapshot taken while the app serves traffic), the
 * uploaded files and, in embedded mode, the generated session secret, in one tar.gz with a manifest.
 */
export async function createBackup(config: Config, file: string, clock: Clock): Promise<Manifest> {
  const target = resolve(file)
  // Staged beside the archive, so that hard links and the final rename stay on one file system when they can.
  await mkdir(dirname(target), { recursive: true })
  const staging = await mkdtemp(join(dirname(target), '.sillon-backup-'))
  try {
    await mkdir(join(staging, 'database'))
    const createdAt = clock.now().toISOString()
    let migration: string
    let databaseEntry: string
    if (config.DATABASE_URL) {
      databaseEntry = POSTGRES_ENTRY
      migration = await snapshotPostgres(config, join(staging, databaseEntry))
    } else {
      databaseEntry = SQLITE_ENTRY
      const source = sqliteFile(config)
      try {
        migration = snapshotSqlite(source, join(staging, databaseEntry), config.SQLITE_BUSY_TIMEOUT_MS)
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CANTOPEN')
          throw new BackupError(`no database at ${source}: nothing to back up (is DATA_DIR right?)`)
        throw err
      }
    }
    // After the database: a file its snapshot refers to was uploaded before it, so it is here.
    const paths = [databaseEntry, ...(await stageFiles(config, staging))]
    if (!config.SESSION_SECRET) {
      const copied = await copyFile(secretFile(config), join(staging, SECRET_ENTRY)).then(
        () => true,
        () => false,
      )
      if (copied) paths.push(SECRET_ENTRY)
    }
    const manifest: Manifest = {
      format: ARCHIVE_FORMAT,
      formatVersion: ARCHIVE_FORMAT_VERSION,
      sillonVersion: packageJson.version,
      dialect: config.dialect,
      migration,
      createdAt,
      entries: await Promise.all(paths.map((path) => describeEntry(staging, path))),
    }
    await writeArchive(target, staging, manifest)
    await withConfiguredDatabase(config, sqliteFile(config), (handle) =>
      auditBackup(handle, clock, 'backup.created', target, manifest),
    )
    return manifest
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}
