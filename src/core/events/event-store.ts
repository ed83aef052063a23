import { PostgresAdapter, type Selectable, sql } from 'kysely'
import { z } from 'zod'
import type { Db } from '../db/database.ts'
import { isUniqueViolation } from '../db/errors.ts'
import { AppError } from '../http/errors.ts'
import type { EventRow } from './tables.ts'

// The event log: immutable facts, appended once (idempotent on the event id), read back in `seq` order
// and upcast to the current version of their type.

export type NewEvent = {
  id: string
  org_id: string
  type: string
  version: number
  student_id: string
  course_id: string
  class_id: string | null
  occurred_at: string
  payload: Record<string, unknown>
  /** What the server knew when it accepted the event (step parameters...), so replays judge alike. */
  context: Record<string, unknown>
}

export type StoredEvent = NewEvent & { seq: number; received_at: string }

/** Turns a stored payload of one version into the next version's shape. */
type Upcaster = (payload: Record<string, unknown>) => Record<string, unknown>

/** What differs from one event type to another: the owning module's contract decodes it. */
export type EventBody = { type: string; payload: unknown; context: unknown }

/** A stored event whose type, payload and context were decoded by its contract: a narrowed union. */
export type DecodedEvent<B extends EventBody = EventBody> = Omit<StoredEvent, keyof EventBody> & B

/** Current version of each event type, how to bring older versions up to it, and how to decode the result. */
export type EventRegistry<B extends EventBody = EventBody> = {
  current: Record<string, number>
  upcasters: Record<string, Record<number, Upcaster>>
  /** The owner's contract (a discriminated union on `type`); an event it cannot decode fails the read. */
  body: z.ZodType<B>
}

export class EventConflictError extends AppError {
  constructor(readonly eventId: string) {
    super(409, 'event_conflict', `Event ${eventId} was already received with different content`, {
      event_id: eventId,
    })
  }
}

// An arbitrary constant naming the append lock (PostgreSQL advisory locks take a bigint key).
const APPEND_LOCK_KEY = 7_316_021

/** Whether two events with one id state the same fact (a resend) rather than two different ones. */
export function sameFact(stored: NewEvent, event: NewEvent) {
  return (
    stored.org_id === event.org_id &&
    stored.type === event.type &&
    stored.student_id === event.student_id &&
    stored.class_id === event.class_id &&
    JSON.stringify(stored.payload) === JSON.stringify(event.payload)
  )
}

function rowToEvent(row: Selectable<EventRow>): StoredEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    org_id: row.org_id,
    type: row.type,
    version: Number(row.version),
    student_id: row.student_id,
    course_id: row.course_id,
    class_id: row.class_id,
    occurred_at: row.occurred_at,
    received_at: row.received_at,
    payload: JSON.parse(row.payload_json),
    context: JSON.parse(row.context_json),
  }
}

/** The registry of a runner that applies signal reactors only: it decodes no event. */
export const noEvents: EventRegistry = { current: {}, upcasters: {}, body: z.never() }

/** Brings a stored event to the current version of its type, one version at a time. */
function upcast(registry: EventRegistry, event: StoredEvent): StoredEvent {
  const current = registry.current[event.type]
  if (current === undefined || event.version >= current) return event
  let payload = event.payload
  for (let version = event.version; version < current; version++) {
    const step = registry.upcasters[event.type]?.[version]
    if (!step) throw new Error(`no upcaster for ${event.type} v${version} -> v${version + 1}`)
    payload = step(payload)
  }
  return { ...event, version: current, payload }
}

/** Stored events of one school with these ids (as stored, not upcast): an id names a fact within a school. */
export async function findEventsByIds(db: Db, orgId: string, ids: string[]) {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('lms_event')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute()
  return rows.map(rowToEvent)
}

export type AppendResult = { appended: StoredEvent[]; duplicates: StoredEvent[] }

export type AppendOptions = {
  /**
   * Runs in the append's transaction, after the lock and before the insert, when some events are new:
   * a rule that must hold at the moment of writing (it sees every event appended before) throws to
   * refuse the whole append.
   */
  guard?: (trx: Db, fresh: NewEvent[]) => Promise<void>
}

/**
 * A transaction that holds the log against other appends from its first statement: an advisory lock on
 * PostgreSQL (taken by the caller), SQLite's write lock taken at BEGIN IMMEDIATE. With a plain BEGIN, a
 * second process sharing the SQLite file could read, then fail to write on a stale snapshot; this way it
 * waits (busy timeout) and reads what the first one wrote.
 */
async function writeTransaction<T>(db: Db, postgres: boolean, work: (trx: Db) => Promise<T>): Promise<T> {
  if (postgres) return db.transaction().execute(work)
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection)
    try {
      const result = await work(connection)
      await sql`commit`.execute(connection)
      return result
    } catch (err) {
      // SQLite may have rolled back already (a full disk, say): the first error is the one to report.
      await sql`rollback`.execute(connection).catch(() => undefined)
      throw err
    }
  })
}

const eventKey = (event: { org_id: string; id: string }) => `${event.org_id}\u0000${event.id}`

/** Stored events with the ids of these events, keyed by school and id. */
async function storedAmong(db: Db, events: NewEvent[]) {
  const stored = new Map<string, StoredEvent>()
  for (const orgId of new Set(events.map((e) => e.org_id))) {
    const ids = events.filter((e) => e.org_id === orgId).map((e) => e.id)
    for (const event of await findEventsByIds(db, orgId, ids)) stored.set(eventKey(event), event)
  }
  return stored
}

/**
 * Appends events durably, in order, in one transaction. An id already stored by the school with the same
 * fact is a duplicate and changes nothing; with another fact — stored, or earlier in the same batch — it
 * is a conflict (409) and nothing is written.
 * On PostgreSQL appends are serialised so that `seq` order is commit order, which lets projectors
 * read "everything after my checkpoint" without ever skipping a late commit.
 */
export async function appendEvents(
  db: Db,
  events: NewEvent[],
  receivedAt: string,
  options: AppendOptions = {},
): Promise<AppendResult> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const attempt = () =>
    writeTransaction(db, postgres, async (trx) => {
      if (postgres) await sql`select pg_advisory_xact_lock(${APPEND_LOCK_KEY})`.execute(trx)
      const existing = await storedAmong(trx, events)
      const appended: StoredEvent[] = []
      const duplicates: StoredEvent[] = []
      const seen = new Map<string, NewEvent>()
      const fresh: NewEvent[] = []
      for (const event of events) {
        const stored = existing.get(eventKey(event))
        const earlier = seen.get(eventKey(event))
        if (stored || earlier) {
          const compareTo = stored ?? ({ ...earlier, seq: 0, received_at: receivedAt } as StoredEvent)
          if (!sameFact(compareTo, event)) throw new EventConflictError(event.id)
          if (stored) duplicates.push(stored)
          continue
        }
        seen.set(eventKey(event), event)
        fresh.push(event)
      }
      if (fresh.length === 0) return { appended, duplicates }
      await options.guard?.(trx, fresh)
      // One statement for the whole batch; seqs are assigned in VALUES order, so sorted they match it.
      const rows = await trx
        .insertInto('lms_event')
        .values(
          fresh.map((event) => ({
            id: event.id,
            org_id: event.org_id,
            type: event.type,
            version: event.version,
            student_id: event.student_id,
            course_id: event.course_id,
            class_id: event.class_id,
            occurred_at: event.occurred_at,
            received_at: receivedAt,
            payload_json: JSON.stringify(event.payload),
            context_json: JSON.stringify(event.context),
            created_at: receivedAt,
          })),
        )
        .returning('seq')
        .execute()
      const seqs = rows.map((r) => Number(r.seq)).sort((a, b) => a - b)
      fresh.forEach((event, i) => {
        appended.push({ ...event, seq: seqs[i] as number, received_at: receivedAt })
      })
      return { appended, duplicates }
    })
  try {
    return await attempt()
  } catch (err) {
    // Another request stored the same id between our read and our insert: judge again against it.
    if (isUniqueViolation(err)) return attempt()
    throw err
  }
}

/** An event upcast to its type's current version and decoded by the registry's contract. */
export function decodeEvent<B extends EventBody>(
  registry: EventRegistry<B>,
  event: StoredEvent,
): DecodedEvent<B> {
  const current = upcast(registry, event)
  const body = registry.body.parse({ type: current.type, payload: current.payload, context: current.context })
  return { ...current, ...body }
}

/** Events after a position of the log, oldest first, upcast to their current versions and decoded. */
export async function readEventsAfter<B extends EventBody>(
  db: Db,
  registry: EventRegistry<B>,
  afterSeq: number,
  limit: number,
): Promise<DecodedEvent<B>[]> {
  const rows = await db
    .selectFrom('lms_event')
    .selectAll()
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute()
  return rows.map((row) => decodeEvent(registry, rowToEvent(row)))
}
