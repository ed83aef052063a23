import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pino from 'pino'
import * as tar from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sillon } from '../../../test/helpers/cli.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import {
  emptyInstance,
  type Instance,
  tableContents,
  tableNames,
  withDatabase,
} from '../../../test/helpers/instances.ts'
import { loadConfig } from '../../core/config.ts'
import { knownMigrations, migrateToLatest } from '../../core/db/migrate.ts'
import { seedDemo } from '../../demo.ts'
import { openRuntime } from '../runtime.ts'
import type { Manifest } from './archive.ts'
import { pruneBackups } from './nightly.ts'

// `sillon backup` and `sillon restore`, run in this process (as cli.test.ts does) on instances of their own.

/** A school with courses and accounts, and two uploaded files (and one still being written, not backed up). */
async function seed(instance: Instance): Promise<void> {
  const config = loadConfig({ ...instance.env, LOG_LEVEL: 'silent' })
  const runtime = await openRuntime(config, pino({ level: 'silent' }))
  try {
    await seedDemo(runtime)
  } finally {
    await runtime.close()
  }
  const folder = join(instance.dataDir, 'files', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b')
  mkdirSync(folder, { recursive: true })
  writeFileSync(join(folder, '0190a1b2-c3d4-7e5f-8a9b-000000000001'), 'a handout, in PDF as far as we care')
  writeFileSync(
    join(folder, '0190a1b2-c3d4-7e5f-8a9b-000000000002'),
    crypto.getRandomValues(new Uint8Array(5000)),
  )
  writeFileSync(join(folder, '0190a1b2-c3d4-7e5f-8a9b-000000000003.abc.part'), 'half written')
}

/** Every file under `dir` with its SHA-256, to check that a refused restore changed nothing. */
function folderState(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {}
  const state: Record<string, string> = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name)
    state[path] = entry.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'folder'
  }
  return state
}

/**
 * The archive rebuilt after `change` edited its extracted entries: with the manifest as it was (unless
 * `change` edits it), or with `resign`, a manifest whose sizes and hashes match the edited entries.
 */
async function alteredArchive(
  file: string,
  change: (dir: string) => void,
  options: { resign?: boolean } = {},
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sillon-altered-'))
  await tar.extract({ file, cwd: dir })
  change(dir)
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
  if (options.resign) {
    for (const entry of manifest.entries) {
      const bytes = readFileSync(join(dir, entry.path))
      entry.size = bytes.length
      entry.sha256 = createHash('sha256').update(bytes).digest('hex')
    }
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
  }
  const out = join(dir, 'altered.tar.gz')
  await tar.create({ gzip: true, file: out, cwd: dir, portable: true }, [
    'manifest.json',
    ...manifest.entries.map((e) => e.path),
  ])
  return out
}

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
}

describe.each(testDialects())('backup and restore on %s', (dialect) => {
  const work = mkdtempSync(join(tmpdir(), 'sillon-backups-'))
  const archive = join(work, 'nested', 'backup.tar.gz')
  const instances: Instance[] = []
  let source: Instance

  async function instance(): Promise<Instance> {
    const created = await emptyInstance(dialect)
    instances.push(created)
    return created
  }

  beforeAll(async () => {
    source = await instance()
    await seed(source)
  })

  afterAll(async () => {
    for (const created of instances) await created.drop()
    rmSync(work, { recursive: true, force: true })
  })

  it('backs up the database and uploaded files into one archive with a manifest of checksums', async () => {
    const backup = await sillon(['backup', archive], source.env)
    expect(backup.stderr).toBe('')
    expect(backup.code).toBe(0)
    expect(backup.stdout).toContain(`backup written to ${archive}: ${dialect} database at migration`)

    const dir = mkdtempSync(join(work, 'extracted-'))
    await tar.extract({ file: archive, cwd: dir })
    const manifest = manifestOf(dir)
    expect(manifest).toMatchObject({
      format: 'sillon-backup',
      formatVersion: 1,
      sillonVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
      dialect,
      migration: knownMigrations.at(-1),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    const paths = manifest.entries.map((e) => e.path).sort()
    expect(paths).toEqual(
      [
        dialect === 'sqlite' ? 'database/sillon.db' : 'database/sillon.pgdump',
        'files/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/0190a1b2-c3d4-7e5f-8a9b-000000000001',
        'files/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/0190a1b2-c3d4-7e5f-8a9b-000000000002',
        ...(dialect === 'sqlite' ? ['session-secret'] : []),
      ].sort(),
    )
    for (const entry of manifest.entries) {
      const bytes = readFileSync(join(dir, entry.path))
      expect(entry.size).toBe(bytes.length)
      expect(entry.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    }
  })

  it('restores into an empty instance an identical copy: every table, the files and the secret', async () => {
    const target = await instance()
    const restore = await sillon(['restore', archive], target.env)
    expect(restore.stderr).toBe('')
    expect(restore.code).toBe(0)
    expect(restore.stdout).toContain('schema is up to date')

    const { audit_log: sourceAudit = [], ...expected } = await withDatabase(source, tableContents)
    const { audit_log: targetAudit = [], ...restored } = await withDatabase(target, tableContents)
    expect(Object.keys(expected)).toContain('lms_course')
    expect(restored).toEqual(expected)
    // The audit log: the source's, whose last entry (the backup) was written after the snapshot, and the restore.
    const entry = (row: string) => JSON.parse(row) as Record<string, unknown>
    const made = sourceAudit.map(entry).filter((e) => e.action === 'backup.created')
    const restoredEntries = targetAudit.map(entry).filter((e) => e.action === 'backup.restored')
    expect(made).toMatchObject([
      { org_id: null, actor_kind: 'cli', target_type: 'backup', target_label: 'backup.tar.gz' },
    ])
    expect(restoredEntries).toMatchObject([
      { org_id: null, actor_kind: 'cli', target_type: 'backup', target_label: 'backup.tar.gz' },
    ])
    expect(JSON.parse(String(restoredEntries[0]?.details_json))).toMatchObject({
      dialect,
      migration: knownMigrations.at(-1),
      migrated: [],
    })
    expect(targetAudit.filter((row) => entry(row).action !== 'backup.restored')).toEqual(
      sourceAudit.filter((row) => entry(row).action !== 'backup.created'),
    )
    const files = (i: Instance) =>
      Object.fromEntries(
        Object.entries(folderState(join(i.dataDir, 'files'))).map(([p, h]) => [p.slice(i.dataDir.length), h]),
      )
    const restoredFiles = files(target)
    expect(Object.keys(restoredFiles)).toHaveLength(3) // one folder, two files: no half-written one
    expect(restoredFiles).toEqual(
      Object.fromEntries(Object.entries(files(source)).filter(([path]) => !path.endsWith('.part'))),
    )
    if (dialect === 'sqlite') {
      expect(readFileSync(join(target.dataDir, 'session-secret'), 'utf8')).toBe(
        readFileSync(join(source.dataDir, 'session-secret'), 'utf8'),
      )
    }
    expect(readdirSync(target.dataDir).filter((name) => name.startsWith('.'))).toEqual([])
  })

  it('migrates a backup of an older schema up to the latest', async () => {
    const older = await instance()
    const level = knownMigrations.at(-3) as string
    await withDatabase(older, (handle) => migrateToLatest(handle.db, level))
    const file = join(work, 'older.tar.gz')
    expect((await sillon(['backup', file], older.env)).code).toBe(0)

    const target = await instance()
    const restore = await sillon(['restore', file], target.env)
    expect(restore.stderr).toBe('')
    expect(restore.stdout).toContain(`migrated to the latest schema: ${knownMigrations.slice(-2).join(', ')}`)
    const { rows } = await withDatabase(target, (handle) =>
      sql<{ name: string }>`select max(name) as name from kysely_migration`.execute(handle.db),
    )
    expect(rows[0]?.name).toBe(knownMigrations.at(-1))
  })

  /** Restores `file` into `target` and expects a refusal naming `reason`, with `target` left as it was. */
  async function expectRefused(file: string, target: Instance, reason: string | RegExp) {
    const before = folderState(target.dataDir)
    const tablesBefore = dialect === 'postgres' ? await withDatabase(target, tableContents) : null
    const restore = await sillon(['restore', file], target.env)
    expect(restore.code).toBe(1)
    expect(restore.stderr).toMatch(reason)
    expect(restore.stdout).toBe('')
    expect(folderState(target.dataDir)).toEqual(before)
    if (tablesBefore) expect(await withDatabase(target, tableContents)).toEqual(tablesBefore)
  }

  it('refuses a truncated archive and writes nothing', async () => {
    const bytes = readFileSync(archive)
    const truncated = join(work, 'truncated.tar.gz')
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    await expectRefused(truncated, await instance(), /not a complete backup archive \(truncated or damaged\)/)
  })

  it('refuses an archive whose entry does not match its checksum, and writes nothing', async () => {
    const tampered = await alteredArchive(archive, (dir) => {
      const path = join(
        dir,
        'files/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/0190a1b2-c3d4-7e5f-8a9b-000000000001',
      )
      const bytes = readFileSync(path)
      bytes[0] = (bytes[0] ?? 0) ^ 1
      writeFileSync(path, bytes)
    })
    await expectRefused(
      tampered,
      await instance(),
      /files\/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\/0190a1b2-c3d4-7e5f-8a9b-000000000001: checksum mismatch/,
    )
  })

  it('refuses a backup of a schema newer than this build knows, and writes nothing', async () => {
    const newer = await alteredArchive(archive, (dir) => {
      writeFileSync(
        join(dir, 'manifest.json'),
        JSON.stringify({ ...manifestOf(dir), migration: '2099-01-01-01-from-the-future' }),
      )
    })
    await expectRefused(
      newer,
      await instance(),
      /at migration 2099-01-01-01-from-the-future, which this Sillon does not know .* upgrade before restoring it/,
    )
  })

  it('refuses a backup made for the other kind of database', async () => {
    const other = dialect === 'sqlite' ? 'postgres' : 'sqlite'
    const moved = await alteredArchive(archive, (dir) => {
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifestOf(dir), dialect: other }))
    })
    await expectRefused(moved, await instance(), `is a ${other} backup, but this Sillon uses ${dialect}`)
  })

  it('leaves nothing behind when the database in a well-formed archive cannot be loaded', async () => {
    const database = dialect === 'sqlite' ? 'database/sillon.db' : 'database/sillon.pgdump'
    const broken = await alteredArchive(
      archive,
      (dir) => {
        const path = join(dir, database)
        const bytes = readFileSync(path)
        writeFileSync(path, Buffer.concat([bytes.subarray(0, 100), Buffer.alloc(4096, 7)]))
      },
      { resign: true },
    )
    const target = await instance()
    const restore = await sillon(['restore', broken], target.env)
    expect(restore.code).toBe(1)
    expect(restore.stderr).toMatch(/could not be restored|pg_restore failed/)
    expect(readdirSync(target.dataDir)).toEqual([])
    if (dialect === 'postgres') expect(await withDatabase(target, tableNames)).toEqual([])
  })

  it('refuses to restore over an instance that holds data, and changes nothing there', async () => {
    const occupied = await instance()
    await seed(occupied)
    await expectRefused(archive, occupied, /is not empty; restore only into an/)
    if (dialect === 'postgres') {
      // A database with tables, even with an empty data directory.
      const database = await instance()
      await withDatabase(database, async (handle) => {
        await sql`create table kept (id int)`.execute(handle.db)
        await sql`insert into kept values (1)`.execute(handle.db)
      })
      await expectRefused(archive, database, /the database is not empty; .* Found tables: public\.kept/)
      expect(await withDatabase(database, tableNames)).toEqual(['kept'])
    }
  })

  it('explains a missing archive and a missing file name', async () => {
    const target = await instance()
    expect(await sillon(['restore', join(work, 'nope.tar.gz')], target.env)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/cannot read .*nope\.tar\.gz: no such file/),
    })
    expect(await sillon(['backup'], target.env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing <file>'),
    })
  })
})

describe('nightly backups in embedded mode', () => {
  const work = mkdtempSync(join(tmpdir(), 'sillon-nightly-'))
  let source: Instance
  let target: Instance

  beforeAll(async () => {
    source = await emptyInstance('sqlite')
    target = await emptyInstance('sqlite')
    await seed(source)
  })

  afterAll(async () => {
    await source.drop()
    await target.drop()
    rmSync(work, { recursive: true, force: true })
  })

  it('is a job at 03:00 server time by default, and is off with BACKUP_KEEP=0', async () => {
    const listed = await sillon(['jobs', 'list'], source.env)
    expect(listed.stdout).toMatch(/^backup\.nightly {2}0 3 \* \* \* \(\S+\) {2}never run$/m)
    expect(listed.stdout).toContain(`into ${join(source.dataDir, 'backups')}, keeping the newest 7`)
    const off = await sillon(['jobs', 'list'], { ...source.env, BACKUP_KEEP: '0' })
    expect(off.code).toBe(0)
    expect(off.stdout).not.toContain('backup.nightly')
  })

  it('writes a restorable archive into BACKUP_DIR and keeps only the newest BACKUP_KEEP', async () => {
    const dir = join(work, 'backups')
    mkdirSync(dir)
    const older = ['2026-12-04', '2026-12-05', '2026-12-06'].map(
      (day) => `sillon-${day}T03-00-00-000Z.tar.gz`,
    )
    for (const name of [...older, 'before-the-upgrade.tar.gz'])
      writeFileSync(join(dir, name), 'an old archive')
    const env = { ...source.env, BACKUP_DIR: dir, BACKUP_KEEP: '2', BACKUP_CRON: '0 3 * * *' }

    const run = await sillon(['jobs', 'run', 'backup.nightly', '--at', '2026-12-07T12:00:00Z'], env)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/^backup\.nightly for \S+: ok in \d+ ms$/m)
    const kept = readdirSync(dir).sort()
    expect(kept).toHaveLength(3)
    expect(kept).toContain('before-the-upgrade.tar.gz') // not a nightly archive: left alone
    expect(kept).toContain(older[2])
    const nightly = kept.find((name) => name.startsWith('sillon-2026-12-07'))
    expect(nightly).toMatch(/^sillon-2026-12-07T\d\d-00-00-000Z\.tar\.gz$/)

    const restore = await sillon(['restore', join(dir, nightly as string)], target.env)
    expect(restore.stderr).toBe('')
    expect(restore.code).toBe(0)
    const expected = await withDatabase(source, (handle) => tableContents(handle, ['lms_course', 'users']))
    expect(await withDatabase(target, (handle) => tableContents(handle, ['lms_course', 'users']))).toEqual(
      expected,
    )
  })

  it('prunes the oldest nightly archives and nothing else', async () => {
    const dir = mkdtempSync(join(work, 'prune-'))
    const names = ['sillon-2026-01-01T03-00-00-000Z.tar.gz', 'sillon-2026-01-03T03-00-00-000Z.tar.gz']
    for (const name of [...names, 'sillon-2026-01-02T03-00-00-000Z.tar.gz', 'notes.txt'])
      writeFileSync(join(dir, name), '')
    expect(await pruneBackups(dir, 1)).toEqual([names[0], 'sillon-2026-01-02T03-00-00-000Z.tar.gz'])
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', names[1]])
    expect(await pruneBackups(dir, 5)).toEqual([])
  })
})
