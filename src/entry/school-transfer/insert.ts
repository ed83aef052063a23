import { createReadStream, existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { sql } from 'kysely'
import type { Db, DbHandle, SqlDialect } from '../../core/db/database.ts'
import { advanceCheckpoint, checkpointOf, holdProjectors } from '../../core/events/projector.ts'
import { type Row, tableEntry } from './collect.ts'
import { columnsOfTables } from './columns.ts'
import { copiedTables, renumberedTables, SchoolTransferError, sequenceColumns } from './plan.ts'

// Writes a school's extracted rows into this instance, in one transaction: anything that clashes with a row
// already here (the school's id or slug, an account's id or e-mail, any row's id) refuses the whole import.

const CHUNK = 100

/** A read model kept from a log: its checkpoint moves past the imported entries, whose effects are copied. */
export type ProjectorRef = { name: string; reads?: 'events' | 'signals' }

async function* linesOf(dir: string, table: string): AsyncGenerator<Row[]> {
  const file = join(dir, tableEntry(table))
  if (!existsSync(file)) return
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
  let chunk: Row[] = []
  for await (const line of lines) {
    if (!line) continue
    chunk.push(JSON.parse(line) as Row)
    if (chunk.length === CHUNK) {
      yield chunk
      chunk = []
    }
  }
  if (chunk.length > 0) yield chunk
}

/** A value as this database stores the column's type: 0/1 or booleans, numbers for what PostgreSQL reads as text. */
function stored(value: unknown, type: string, dialect: SqlDialect): unknown {
  if (value === null || value === undefined) return null
  if (dialect === 'sqlite') {
    if (typeof value === 'boolean') return value ? 1 : 0
    if (typeof value === 'string' && (type === 'integer' || type === 'real') && /^-?\d+(\.\d+)?$/.test(value))
      return Number(value)
    return value
  }
  if (type === 'bool') return value === true || value === 1 || value === '1' || value === 'true'
  return value
}

type Translation = { log: 'lms_event' | 'lms_signal'; old: number[]; new: number[] }

/** The new sequence number of the last entry of the log at or before `seq` (0 before any). */
function translate(seq: unknown, map: Translation | undefined): number {
  const value = Number(seq ?? 0)
  if (!map || map.old.length === 0) return 0
  let low = 0
  let high = map.old.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >> 1
    if ((map.old[mid] ?? 0) <= value) {
      found = mid
      low = mid + 1
    } else high = mid - 1
  }
  return found < 0 ? 0 : (map.new[found] ?? 0)
}

async function head(trx: Db, log: 'lms_event' | 'lms_signal'): Promise<number> {
  const { rows } = await sql<{
    seq: number | string | null
  }>`select max(seq) as seq from ${sql.table(log)}`.execute(trx)
  return Number(rows[0]?.seq ?? 0)
}

/** Refuses when the `column` of any of `chunk` is already in `table` (e-mails compared without case). */
async function refuseClashes(trx: Db, table: string, column: string, chunk: Row[], what: string) {
  const values = chunk.map((row) => String(row[column]))
  if (values.length === 0) return
  const compared = column === 'email' ? sql`lower(email)` : sql.ref(column)
  const { rows } = await sql<{ value: string }>`select ${compared} as value from ${sql.table(table)}
    where ${compared} in (${sql.join(values.map((v) => (column === 'email' ? v.toLowerCase() : v)))}) limit 5`.execute(
    trx,
  )
  if (rows.length > 0)
    throw new SchoolTransferError(
      `this instance already has ${what} ${rows.map((r) => r.value).join(', ')}${rows.length === 5 ? '…' : ''}: nothing was imported`,
    )
}

/**
 * Inserts the school extracted under `dir` (tables/<table>.jsonl). The import takes the write lock of the
 * logs first, refuses when the instance's read models are not caught up with them, and moves their
 * checkpoints past the imported entries: the imported read models already hold their effects.
 */
export async function insertSchool(
  database: DbHandle,
  dir: string,
  projectors: readonly ProjectorRef[],
  at: string,
  after: (trx: Db, school: { id: string; slug: string; name: string }) => Promise<void>,
): Promise<{ school: { id: string; slug: string; name: string }; rows: Record<string, number> }> {
  const { dialect } = database
  return database.db.transaction().execute(async (trx) => {
    // Projector batches, then appends, wait for the import, so that no entry slips between its checks and
    // its checkpoints: batches first (those running finish), as a batch appends signals. SQLite has one
    // writer: the first write takes the lock for the transaction.
    if (dialect === 'postgres') {
      await holdProjectors(
        trx,
        projectors.map((p) => p.name),
      )
      await sql`lock table projection_checkpoints, lms_event, lms_signal in exclusive mode`.execute(trx)
    } else await sql`update projection_checkpoints set seq = seq where 0 = 1`.execute(trx)
    const heads = { lms_event: await head(trx, 'lms_event'), lms_signal: await head(trx, 'lms_signal') }
    const checkpoints = await trx.selectFrom('projection_checkpoints').select(['name', 'seq']).execute()
    for (const projector of projectors) {
      const log = projector.reads === 'signals' ? 'lms_signal' : 'lms_event'
      const at = Number(checkpoints.find((c) => c.name === projector.name)?.seq ?? -1)
      if (at < heads[log] && !(at === -1 && heads[log] === 0))
        throw new SchoolTransferError(
          `the read model ${projector.name} is behind its log: run \`sillon projections reconcile\` and import again`,
        )
    }

    const schema = await columnsOfTables(trx)
    const rows: Record<string, number> = {}
    const insert = async (table: string, chunk: Row[]) => {
      const columns = schema.get(table)
      if (!columns)
        throw new SchoolTransferError(`this instance has no table ${table}: is it an older Sillon?`)
      // Rows of one table all have the same columns: those of the schema they were read from.
      const names = Object.keys(chunk[0] ?? {})
      for (const name of names)
        if (!columns.has(name))
          throw new SchoolTransferError(
            `this instance has no column ${table}.${name}: is it an older Sillon?`,
          )
      const tuples = chunk.map(
        (row) => sql`(${sql.join(names.map((name) => stored(row[name], columns.get(name) ?? '', dialect)))})`,
      )
      try {
        await sql`insert into ${sql.table(table)} (${sql.join(names.map((name) => sql.ref(name)))})
          values ${sql.join(tuples)}`.execute(trx)
      } catch (err) {
        // A constraint the checks above do not cover (a row of an older schema missing a required value).
        throw new SchoolTransferError(
          `the rows of ${table} do not fit this instance (${(err as Error).message}): nothing was imported`,
        )
      }
      rows[table] = (rows[table] ?? 0) + chunk.length
    }

    let school: { id: string; slug: string; name: string } | null = null
    for await (const chunk of linesOf(dir, 'organisations')) {
      const org = chunk[0]
      if (!org || chunk.length !== 1)
        throw new SchoolTransferError('the archive does not hold exactly one school')
      school = { id: String(org.id), slug: String(org.slug), name: String(org.name) }
      await refuseClashes(trx, 'organisations', 'slug', chunk, 'a school with the slug')
      await refuseClashes(trx, 'organisations', 'id', chunk, 'a school with the id')
      await insert('organisations', chunk)
    }
    if (!school) throw new SchoolTransferError('the archive does not hold a school')
    const orgId = school.id

    for await (const chunk of linesOf(dir, 'users')) {
      await refuseClashes(trx, 'users', 'id', chunk, 'an account with the id')
      await refuseClashes(trx, 'users', 'email', chunk, 'an account with the e-mail')
      await insert(
        'users',
        chunk.map((u) => ({ ...u, is_superadmin: 0, last_org_id: u.last_org_id === orgId ? orgId : null })),
      )
    }
    for await (const chunk of linesOf(dir, 'auth_accounts')) {
      await refuseClashes(trx, 'auth_accounts', 'id', chunk, 'a sign-in with the id')
      await insert('auth_accounts', chunk)
    }

    const translations = new Map<string, Translation>()
    for (const table of copiedTables) {
      const renumbered = renumberedTables.includes(table)
      const sequences = sequenceColumns[table]
      const hasId = schema.get(table)?.has('id') ?? false
      const oldSeqs = new Map<string, number>()
      for await (const chunk of linesOf(dir, table)) {
        // Composite keys all start with org_id, which is new here: only single ids can clash.
        if (hasId && table !== 'lms_event')
          await refuseClashes(trx, table, 'id', chunk, `a row of ${table} with the id`)
        const prepared = chunk.map((row) => {
          const out = { ...row }
          if (renumbered) {
            if (table === 'lms_event' || table === 'lms_signal') oldSeqs.set(String(row.id), Number(row.seq))
            delete out.seq
          }
          for (const column of sequences?.columns ?? [])
            if (out[column] !== null && out[column] !== undefined)
              out[column] = translate(out[column], translations.get(sequences?.log ?? ''))
          return out
        })
        await insert(table, prepared)
      }
      if (table === 'lms_event' || table === 'lms_signal') {
        const fresh = await sql<{ id: string; seq: number | string }>`select id, seq from ${sql.table(table)}
          where org_id = ${orgId} order by seq`.execute(trx)
        const pairs = fresh.rows
          .map((r) => [oldSeqs.get(r.id) ?? 0, Number(r.seq)] as const)
          .sort((a, b) => a[0] - b[0])
        translations.set(table, { log: table, old: pairs.map((p) => p[0]), new: pairs.map((p) => p[1]) })
      }
    }

    // The imported read models hold what the imported entries did: projectors start after them.
    const now = { lms_event: await head(trx, 'lms_event'), lms_signal: await head(trx, 'lms_signal') }
    for (const projector of projectors) {
      const seq = now[projector.reads === 'signals' ? 'lms_signal' : 'lms_event']
      await checkpointOf(trx, projector.name, at)
      await advanceCheckpoint(trx, projector.name, seq, at)
    }
    await after(trx, school)
    return { school, rows }
  })
}
