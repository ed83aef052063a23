import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { z } from 'zod'
import packageJson from '../../../package.json' with { type: 'json' }
import type { Clock } from '../../core/clock.ts'
import type { DbHandle } from '../../core/db/database.ts'
import { knownMigrations } from '../../core/db/migrate.ts'
import type { FileStore } from '../../core/files/file-store.ts'
import { type AuditActor, recordAudit } from '../../modules/audit/index.ts'
import {
  type ArchiveKind,
  describeEntry,
  extractArchive,
  verifyArchive,
  writeArchive,
} from '../backup/archive.ts'
import { collectSchool } from './collect.ts'
import { insertSchool, type ProjectorRef } from './insert.ts'
import { SchoolTransferError } from './plan.ts'

// A school archive: a tar.gz written and checked by the backup archive's code, with its own format name,
// entry names (tables/<table>.jsonl, files/<key>) and manifest (the school, the schema it was read from).

const FILE_PREFIX = 'files/'

const SchoolManifest = z.object({
  format: z.literal('sillon-school'),
  formatVersion: z.number().int().min(1),
  sillonVersion: z.string(),
  dialect: z.enum(['sqlite', 'postgres']),
  /** The latest migration of the database the school was read from. */
  migration: z.string().min(1),
  createdAt: z.string(),
  school: z.object({ id: z.string().min(1), slug: z.string().min(1), name: z.string() }),
  rows: z.record(z.string(), z.number().int().min(0)),
  entries: z.array(
    z.object({
      path: z.string().regex(/^(tables\/[a-z_]+\.jsonl|files\/[A-Za-z0-9-]+\/[A-Za-z0-9-]+)$/),
      size: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
})
export type SchoolManifest = z.infer<typeof SchoolManifest>

const schoolArchive: ArchiveKind<SchoolManifest> = {
  format: 'sillon-school',
  version: 1,
  label: 'school archive',
  manifest: SchoolManifest,
}

async function migrationLevel(database: DbHandle): Promise<string> {
  const { rows } = await sql<{ name: string | null }>`select max(name) as name from kysely_migration`.execute(
    database.db,
  )
  const name = rows[0]?.name
  if (!name) throw new SchoolTransferError('this database has no migration applied')
  return name
}

export type TransferDeps = { database: DbHandle; files: FileStore; clock: Clock }

/** Writes the school `orgId` into `file`, a school archive (through a temporary name). */
export async function exportSchool(deps: TransferDeps, orgId: string, file: string): Promise<SchoolManifest> {
  const staging = await mkdtemp(join(tmpdir(), 'sillon-school-'))
  try {
    const collected = await collectSchool(deps.database, deps.files, orgId, staging)
    const manifest: SchoolManifest = {
      format: 'sillon-school',
      formatVersion: schoolArchive.version,
      sillonVersion: packageJson.version,
      dialect: deps.database.dialect,
      migration: await migrationLevel(deps.database),
      createdAt: deps.clock.now().toISOString(),
      school: collected.school,
      rows: collected.rows,
      entries: await Promise.all(collected.entries.map((entry) => describeEntry(staging, entry))),
    }
    await writeArchive(file, staging, manifest)
    return manifest
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}

export type ImportResult = { manifest: SchoolManifest; rows: Record<string, number>; files: number }

/**
 * Imports a school archive into this instance: checks the whole archive first (format, schema, sizes and
 * hashes), then writes the school's files and rows; a refusal or a failure leaves nothing behind.
 */
export async function importSchool(
  deps: TransferDeps & { projectors: readonly ProjectorRef[] },
  file: string,
  actor: AuditActor,
): Promise<ImportResult> {
  const manifest = await verifyArchive(file, schoolArchive)
  if (!knownMigrations.includes(manifest.migration))
    throw new SchoolTransferError(
      `${file} was exported from a newer schema (${manifest.migration}, Sillon ${manifest.sillonVersion}): upgrade this Sillon to import it`,
    )
  // The clearest refusal first; the import checks again, with every id, in its transaction.
  const known = await deps.database.db
    .selectFrom('organisations')
    .select(['id', 'slug'])
    .where((eb) => eb.or([eb('id', '=', manifest.school.id), eb('slug', '=', manifest.school.slug)]))
    .executeTakeFirst()
  if (known)
    throw new SchoolTransferError(
      known.slug === manifest.school.slug
        ? `this instance already has a school with the slug ${known.slug}: nothing was imported`
        : `this instance already has a school with the id ${known.id}: nothing was imported`,
    )
  const staging = await mkdtemp(join(tmpdir(), 'sillon-school-'))
  const written: string[] = []
  try {
    await extractArchive(file, staging, manifest)
    const keys = manifest.entries
      .filter((e) => e.path.startsWith(FILE_PREFIX))
      .map((e) => e.path.slice(FILE_PREFIX.length))
    for (const key of keys) {
      if (await deps.files.get(key))
        throw new SchoolTransferError(`this instance already has the file ${key}: nothing was imported`)
    }
    for (const key of keys) {
      await deps.files.put(key, new Uint8Array(await readFile(join(staging, FILE_PREFIX, key))))
      written.push(key)
    }
    const { rows } = await insertSchool(
      deps.database,
      staging,
      deps.projectors,
      deps.clock.now().toISOString(),
      (trx, school) =>
        recordAudit(
          { db: trx, clock: deps.clock },
          {
            orgId: null,
            actor,
            action: 'school.imported',
            target: { type: 'school', id: school.id, label: `${school.name} (${school.slug})` },
            details: {
              from: { sillonVersion: manifest.sillonVersion, dialect: manifest.dialect },
              exportedAt: manifest.createdAt,
            },
          },
        ),
    )
    return { manifest, rows, files: keys.length }
  } catch (err) {
    for (const key of written) await deps.files.delete(key).catch(() => undefined)
    throw err
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}
