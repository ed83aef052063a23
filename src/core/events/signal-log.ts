import { PostgresAdapter, type Selectable, sql } from 'kysely'
import { z } from 'zod'
import type { Db } from '../db/database.ts'
import { parseJson } from '../db/json.ts'
import type { SignalRow } from './tables.ts'

// The signal log: facts derived from events (by projectors) or from time (by jobs: streak days, heart
// refills), each appended once under an id derived from what it is about. Reactors read it in `seq`
// order, checkpointed like projectors, so they never read the tables of the module that wrote it.

export type NewSignal = {
  id: string
  type: string
  org_id: string
  student_id: string
  course_id: string | null
  class_id: string | null
  occurred_at: string
  source_event_ids: string[]
  payload: Record<string, unknown>
}

export type StoredSignal = NewSignal & { seq: number }

/** What differs from one signal type to another: the owning module's contract decodes it. */
export type SignalBody = { type: string; payload: unknown }

/** A stored signal whose type and payload were decoded by a contract: a narrowed union. */
export type DecodedSignal<B extends SignalBody = SignalBody> = Omit<StoredSignal, keyof SignalBody> & B

/** The signal types a reader handles, and how to decode them (a discriminated union on `type`). */
export type SignalContract<B extends SignalBody = SignalBody> = {
  types: readonly string[]
  body: z.ZodType<B>
}

/** The types and payloads a contract decodes. */
export type SignalBodyOf<C> = C extends SignalContract<infer B> ? B : never

/** The decoded signals a contract gives its reader. */
export type SignalOf<C> = DecodedSignal<SignalBodyOf<C>>

type SignalBranch = z.ZodObject<{ type: z.ZodLiteral<string>; payload: z.ZodType }>

/**
 * The contract of a reader of some signal types, from the schemas their owning modules export (one
 * `{ type, payload }` object per type).
 */
export function signalContract<const O extends readonly [SignalBranch, ...SignalBranch[]]>(
  ...branches: O
): SignalContract<z.output<O[number]>> {
  return {
    types: branches.map((branch) => branch.shape.type.value),
    body: z.discriminatedUnion('type', branches),
  }
}

/** The signals of the contract's types among `signals`, decoded; one that does not decode fails the read. */
export function decodeSignals<B extends SignalBody>(
  contract: SignalContract<B>,
  signals: StoredSignal[],
): DecodedSignal<B>[] {
  return signals
    .filter((signal) => contract.types.includes(signal.type))
    .map((signal) => ({ ...signal, ...contract.body.parse({ type: signal.type, payload: signal.payload }) }))
}

// Arbitrary constant naming the signal append lock (PostgreSQL advisory locks take a bigint key).
const SIGNAL_APPEND_LOCK_KEY = 7_316_022

/**
 * Appends signals; one already there (same id) is left as it was, so retries and replays add nothing.
 * Call it inside the transaction that writes what the signals are derived from. On PostgreSQL appends
 * are serialised until commit, so `seq` order is commit order and a reactor's checkpoint skips nothing.
 */
export async function appendSignals(trx: Db, signals: NewSignal[], at: string): Promise<void> {
  if (signals.length === 0) return
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(${SIGNAL_APPEND_LOCK_KEY})`.execute(trx)
  }
  // In chunks: SQLite and PostgreSQL both cap the parameters of one statement.
  for (let i = 0; i < signals.length; i += APPEND_CHUNK) {
    await insertSignals(trx, signals.slice(i, i + APPEND_CHUNK), at)
  }
}

const APPEND_CHUNK = 500

async function insertSignals(trx: Db, signals: NewSignal[], at: string) {
  await trx
    .insertInto('lms_signal')
    .values(
      signals.map((s) => ({
        id: s.id,
        org_id: s.org_id,
        type: s.type,
        student_id: s.student_id,
        course_id: s.course_id,
        class_id: s.class_id,
        occurred_at: s.occurred_at,
        source_event_ids_json: JSON.stringify(s.source_event_ids),
        payload_json: JSON.stringify(s.payload),
        created_at: at,
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}

function rowToSignal(row: Selectable<SignalRow>): StoredSignal {
  return {
    seq: Number(row.seq),
    id: row.id,
    type: row.type,
    org_id: row.org_id,
    student_id: row.student_id,
    course_id: row.course_id,
    class_id: row.class_id,
    occurred_at: row.occurred_at,
    source_event_ids: parseJson<string[]>(row.source_event_ids_json, []),
    payload: parseJson<Record<string, unknown>>(row.payload_json, {}),
  }
}

export async function readSignalsAfter(db: Db, after: number, limit: number): Promise<StoredSignal[]> {
  const rows = await db
    .selectFrom('lms_signal')
    .selectAll()
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute()
  return rows.map(rowToSignal)
}

/**
 * The signals of some types of one school in (`after`, `through`], in log order: what a replay of one
 * school reads (index `lms_signal_org_seq`).
 */
export async function readSignalsOfOrg(
  db: Db,
  orgId: string,
  types: readonly string[],
  range: { after: number; through: number },
  limit: number,
): Promise<StoredSignal[]> {
  const rows = await db
    .selectFrom('lms_signal')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('type', 'in', types)
    .where('seq', '>', range.after)
    .where('seq', '<=', range.through)
    .orderBy('seq')
    .limit(limit)
    .execute()
  return rows.map(rowToSignal)
}

/** How many signals of some types of one school are at or before `through` in the log. */
export async function countSignalsOfOrg(db: Db, orgId: string, types: readonly string[], through: number) {
  const row = await db
    .selectFrom('lms_signal')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('org_id', '=', orgId)
    .where('type', 'in', types)
    .where('seq', '<=', through)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** The signals of some types about one student, in the order they were appended. */
export async function signalsOfStudent<B extends SignalBody>(
  db: Db,
  orgId: string,
  studentId: string,
  contract: SignalContract<B>,
): Promise<DecodedSignal<B>[]> {
  const rows = await db
    .selectFrom('lms_signal')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .where('type', 'in', contract.types)
    .orderBy('seq')
    .execute()
  return decodeSignals(contract, rows.map(rowToSignal))
}

/** When each signal of a type was appended in the organisation, optionally only about these courses. */
export async function signalOccurrences(db: Db, orgId: string, type: string, courseIds?: string[]) {
  if (courseIds?.length === 0) return []
  let query = db
    .selectFrom('lms_signal')
    .select(['student_id', 'course_id', 'class_id', 'occurred_at'])
    .where('org_id', '=', orgId)
    .where('type', '=', type)
  if (courseIds) query = query.where('course_id', 'in', courseIds)
  return query.orderBy('seq').execute()
}
