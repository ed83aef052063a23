import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tar from 'tar'
import { z } from 'zod'

// A backup archive is a tar.gz whose first entry, manifest.json, lists every other entry with its size and
// SHA-256. A restore reads the whole archive and checks it against the manifest before it writes anything.

export const ARCHIVE_FORMAT = 'sillon-backup'
export const ARCHIVE_FORMAT_VERSION = 1
const MANIFEST_NAME = 'manifest.json'

/** Where each part lives inside the archive. */
export const SQLITE_ENTRY = 'database/sillon.db'
export const POSTGRES_ENTRY = 'database/sillon.pgdump'
export const SECRET_ENTRY = 'session-secret'
export const FILES_PREFIX = 'files/'

// The only names an archive may hold: a restore refuses anything else rather than writing it somewhere.
const ENTRY_NAME = /^(database\/sillon\.(db|pgdump)|session-secret|files\/[A-Za-z0-9-]+\/[A-Za-z0-9-]+)$/

const ManifestEntry = z.object({
  path: z.string().regex(ENTRY_NAME),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
})
export type ManifestEntry = z.infer<typeof ManifestEntry>

const Manifest = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  formatVersion: z.number().int().min(1),
  sillonVersion: z.string(),
  dialect: z.enum(['sqlite', 'postgres']),
  /** The latest migration applied to the database in the archive. */
  migration: z.string().min(1),
  createdAt: z.string(),
  entries: z.array(ManifestEntry),
})
export type Manifest = z.infer<typeof Manifest>

/**
 * What kind of archive a reader expects: its format name and the newest version this build reads, the
 * words its refusals use, and the manifest schema (which names the entries it may hold). Backups are one
 * kind; a school archive (src/entry/school-transfer) is another, written and checked by the same code.
 */
export type ArchiveKind<M extends { entries: ManifestEntry[] }> = {
  format: string
  version: number
  label: string
  manifest: z.ZodType<M>
}

const backupArchive: ArchiveKind<Manifest> = {
  format: ARCHIVE_FORMAT,
  version: ARCHIVE_FORMAT_VERSION,
  label: 'backup',
  manifest: Manifest,
}

/** The archive cannot be restored as it is: the message says why, for the operator. */
export class BackupError extends Error {
  override name = 'BackupError'
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** The size and hash of a staged file, as the manifest records it. */
export async function describeEntry(root: string, path: string): Promise<ManifestEntry> {
  const full = join(root, path)
  return { path, size: (await stat(full)).size, sha256: await sha256OfFile(full) }
}

/**
 * Writes `manifest` and the entries it lists (files under `root`) into `file`, through a temporary name so
 * that an interrupted backup leaves no archive that looks whole.
 */
export async function writeArchive(
  file: string,
  root: string,
  manifest: { entries: ManifestEntry[] },
): Promise<void> {
  await writeFile(join(root, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`)
  const partial = `${file}.${crypto.randomUUID()}.part`
  try {
    await tar.create({ gzip: true, file: partial, cwd: root, portable: true, noDirRecurse: true }, [
      MANIFEST_NAME,
      ...manifest.entries.map((e) => e.path),
    ])
    await rename(partial, file)
  } catch (err) {
    await rm(partial, { force: true })
    throw err
  }
}

/**
 * Reads the whole archive and checks it: a readable manifest of a format this build knows, every entry a
 * regular file it lists, with the size and hash it records, and nothing missing. Writes nothing.
 */
export async function verifyArchive(file: string): Promise<Manifest>
export async function verifyArchive<M extends { entries: ManifestEntry[] }>(
  file: string,
  kind: ArchiveKind<M>,
): Promise<M>
export async function verifyArchive(
  file: string,
  kind: ArchiveKind<{ entries: ManifestEntry[] }> = backupArchive,
): Promise<{ entries: ManifestEntry[] }> {
  let manifestText: string | undefined
  const seen = new Map<string, { size: number; sha256: string }>()
  const pending: Promise<void>[] = []
  const problems: string[] = []
  try {
    await stat(file)
  } catch {
    throw new BackupError(`cannot read ${file}: no such file`)
  }
  try {
    await tar.list({
      file,
      strict: true,
      onReadEntry(entry) {
        const path = entry.path
        if (entry.type !== 'File') {
          problems.push(`${path}: not a regular file (${entry.type})`)
          entry.resume()
          return
        }
        const hash = createHash('sha256')
        const chunks: Buffer[] = []
        let size = 0
        entry.on('data', (chunk: Buffer) => {
          hash.update(chunk)
          size += chunk.length
          if (path === MANIFEST_NAME) chunks.push(chunk)
        })
        pending.push(
          new Promise((resolve) =>
            entry.on('end', () => {
              if (seen.has(path)) problems.push(`${path}: appears twice`)
              if (path === MANIFEST_NAME) manifestText = Buffer.concat(chunks).toString('utf8')
              else seen.set(path, { size, sha256: hash.digest('hex') })
              resolve()
            }),
          ),
        )
      },
    })
    await Promise.all(pending)
  } catch (err) {
    throw new BackupError(
      `${file} is not a complete ${kind.label} archive (truncated or damaged): ${(err as Error).message}`,
    )
  }
  if (manifestText === undefined)
    throw new BackupError(`${file} holds no ${MANIFEST_NAME}: not a Sillon ${kind.label}`)
  const manifest = parseManifest(file, manifestText, kind)
  for (const expected of manifest.entries) {
    const found = seen.get(expected.path)
    if (!found) problems.push(`${expected.path}: listed in the manifest but missing`)
    else if (found.size !== expected.size || found.sha256 !== expected.sha256)
      problems.push(`${expected.path}: checksum mismatch (the archive was altered or damaged)`)
    seen.delete(expected.path)
  }
  for (const path of seen.keys()) problems.push(`${path}: not listed in the manifest`)
  if (problems.length > 0) throw new BackupError(`${file} fails its checks:\n  - ${problems.join('\n  - ')}`)
  return manifest
}

function parseManifest<M extends { entries: ManifestEntry[] }>(
  file: string,
  text: string,
  kind: ArchiveKind<M>,
): M {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new BackupError(`${file}: ${MANIFEST_NAME} is not JSON`)
  }
  const head = z.object({ format: z.string(), formatVersion: z.number() }).safeParse(json)
  if (!head.success || head.data.format !== kind.format)
    throw new BackupError(`${file}: ${MANIFEST_NAME} is not a Sillon ${kind.label} manifest`)
  if (head.data.formatVersion > kind.version)
    throw new BackupError(
      `${file} uses archive format ${head.data.formatVersion}; this Sillon reads up to ${kind.version}: upgrade Sillon to read it`,
    )
  const parsed = kind.manifest.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new BackupError(`${file}: ${MANIFEST_NAME} is invalid: ${problems.join('; ')}`)
  }
  return parsed.data
}

/**
 * Extracts a verified archive into `root` (an empty folder), then checks the extracted files against the
 * manifest again: the archive could have changed since it was verified.
 */
export async function extractArchive(
  file: string,
  root: string,
  manifest: { entries: ManifestEntry[] },
): Promise<void> {
  const listed = new Set(manifest.entries.map((e) => e.path))
  await tar.extract({ file, cwd: root, strict: true, filter: (path) => listed.has(path) })
  for (const expected of manifest.entries) {
    const found = await describeEntry(root, expected.path).catch(() => null)
    if (found?.sha256 !== expected.sha256 || found.size !== expected.size)
      throw new BackupError(`${file} changed while it was restored (${expected.path}); nothing was restored`)
  }
}
