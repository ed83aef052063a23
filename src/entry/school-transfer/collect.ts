import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { sql } from 'kysely'
import type { DbHandle } from '../../core/db/database.ts'
import type { FileStore } from '../../core/files/file-store.ts'
import { columnsOfTables } from './columns.ts'
import { copiedTables, credentialColumns, fileColumns, userColumns, userReferences } from './plan.ts'

// Reads one school's rows into JSON Lines files (tables/<table>.jsonl, one row a line) and its uploaded
// files into files/<key>, under a staging folder that the archive is then written from.

export type Row = Record<string, unknown>

export const tableEntry = (table: string) => `tables/${table}.jsonl`
const fileEntry = (key: string) => `files/${key}`

/** The file-store key of an account's picture, when `image` is one of Sillon's (see identity/pictures.ts). */
function pictureKeyOf(user: Row): string | null {
  const match = /^\/api\/users\/([^/]+)\/picture\/([A-Za-z0-9-]+)$/.exec(String(user.image ?? ''))
  return match && match[1] === user.id ? `pictures/${match[2]}` : null
}

const PAGE = 1000
/** Read models hold a row per student and step, or per student and day: a page holds this many students. */
const STUDENTS_PER_PAGE = 50

export type Collected = {
  school: { id: string; slug: string; name: string }
  /** Archive entries written under the staging folder, tables first. */
  entries: string[]
  rows: Record<string, number>
  /** Files the rows name that the file store no longer has. */
  missingFiles: string[]
}

class JsonLines {
  private constructor(private readonly handle: Awaited<ReturnType<typeof open>>) {}
  static async create(path: string) {
    return new JsonLines(await open(path, 'wx'))
  }
  async write(rows: Row[]) {
    if (rows.length > 0) await this.handle.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''))
  }
  close() {
    return this.handle.close()
  }
}

/**
 * Writes every row of the school `orgId` (and the accounts its rows reference) under `dir`, read in one
 * transaction (repeatable read on PostgreSQL) so that the logs and the read models agree; then the files.
 */
export async function collectSchool(
  database: DbHandle,
  files: FileStore,
  orgId: string,
  dir: string,
): Promise<Collected> {
  await mkdir(join(dir, 'tables'), { recursive: true })
  const entries: string[] = []
  const counts: Record<string, number> = {}
  const fileKeys = new Set<string>()
  const userIds = new Set<string>()

  const writeTable = async (table: string, read: (sink: (rows: Row[]) => Promise<void>) => Promise<void>) => {
    const entry = tableEntry(table)
    const out = await JsonLines.create(join(dir, entry))
    let count = 0
    try {
      await read(async (rows) => {
        count += rows.length
        await out.write(rows)
      })
    } finally {
      await out.close()
    }
    entries.push(entry)
    counts[table] = count
  }

  const transaction =
    database.dialect === 'postgres'
      ? database.db.transaction().setIsolationLevel('repeatable read')
      : database.db.transaction()
  const school = await transaction.execute(async (trx) => {
    const { rows: orgs } = await sql<Row>`select * from organisations where id = ${orgId}`.execute(trx)
    const org = orgs[0]
    if (!org) throw new Error(`no school with id ${orgId}`)
    await writeTable('organisations', (sink) => sink(orgs))
    const schema = await columnsOfTables(trx)
    for (const table of copiedTables) {
      const columns = schema.get(table)
      if (!columns) continue
      const references = userReferences[table] ?? []
      const fileColumn = fileColumns[table]
      await writeTable(table, async (sink) => {
        for await (const rows of pagesOf(trx, table, columns, orgId)) {
          for (const row of rows) {
            for (const column of references) if (typeof row[column] === 'string') userIds.add(row[column])
            if (fileColumn && typeof row[fileColumn] === 'string') fileKeys.add(row[fileColumn])
          }
          await sink(rows)
        }
      })
    }
    const ids = [...userIds].sort()
    await writeTable('users', async (sink) => {
      for (let i = 0; i < ids.length; i += PAGE) {
        const users = await trx
          .selectFrom('users')
          .select([...userColumns])
          .where('id', 'in', ids.slice(i, i + PAGE))
          .orderBy('id')
          .execute()
        for (const user of users) {
          const picture = pictureKeyOf(user)
          if (picture) fileKeys.add(picture)
        }
        await sink(users)
      }
    })
    await writeTable('auth_accounts', async (sink) => {
      for (let i = 0; i < ids.length; i += PAGE) {
        await sink(
          await trx
            .selectFrom('auth_accounts')
            .select([...credentialColumns])
            .where('provider_id', '=', 'credential')
            .where('user_id', 'in', ids.slice(i, i + PAGE))
            .orderBy('id')
            .execute(),
        )
      }
    })
    return { id: String(org.id), slug: String(org.slug), name: String(org.name) }
  })

  const missingFiles: string[] = []
  for (const key of [...fileKeys].sort()) {
    const data = await files.get(key)
    if (!data) {
      missingFiles.push(key)
      continue
    }
    const entry = fileEntry(key)
    await mkdir(join(dir, 'files', key.split('/')[0] ?? ''), { recursive: true })
    const out = await open(join(dir, entry), 'wx')
    await out.write(data)
    await out.close()
    entries.push(entry)
  }
  return { school, entries, rows: counts, missingFiles }
}

/**
 * The school's rows of `table`, page by page: by `seq` for the logs (the order they are imported in), by
 * `id` where there is one, by groups of students for the read models keyed by student, else at once (the
 * few rows of a school's settings and course links).
 */
async function* pagesOf(
  trx: DbHandle['db'],
  table: string,
  columns: ReadonlyMap<string, string>,
  orgId: string,
): AsyncGenerator<Row[]> {
  const key = columns.has('seq') ? 'seq' : columns.has('id') ? 'id' : null
  if (key) {
    let after: unknown = null
    for (;;) {
      const { rows } = await sql<Row>`select * from ${sql.table(table)} where org_id = ${orgId}
        ${after === null ? sql`` : sql`and ${sql.ref(key)} > ${after}`}
        order by ${sql.ref(key)} limit ${PAGE}`.execute(trx)
      if (rows.length > 0) yield rows
      if (rows.length < PAGE) return
      after = rows[rows.length - 1]?.[key]
    }
  }
  if (!columns.has('student_id')) {
    yield (await sql<Row>`select * from ${sql.table(table)} where org_id = ${orgId}`.execute(trx)).rows
    return
  }
  const { rows: students } = await sql<{ student_id: string }>`select distinct student_id
    from ${sql.table(table)} where org_id = ${orgId} order by student_id`.execute(trx)
  for (let i = 0; i < students.length; i += STUDENTS_PER_PAGE) {
    const group = students.slice(i, i + STUDENTS_PER_PAGE).map((s) => s.student_id)
    yield (
      await sql<Row>`select * from ${sql.table(table)} where org_id = ${orgId}
        and student_id in (${sql.join(group)})`.execute(trx)
    ).rows
  }
}
