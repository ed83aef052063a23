import { PostgresAdapter, sql } from 'kysely'
import type { Clock } from '../clock.ts'
import type { Db } from '../db/database.ts'
import { type DecodedEvent, type EventBody, type EventRegistry, readEventsAfter } from './event-store.ts'
import {
  type DecodedSignal,
  decodeSignals,
  readSignalsAfter,
  type SignalBody,
  type SignalContract,
} from './signal-log.ts'

/** A read model kept up to date from the event log. `apply` must be deterministic: replays give the same rows. */
export type EventProjector<B extends EventBody = EventBody> = {
  name: string
  reads?: 'events'
  /** Receives events decoded by the registry the runner is given (the owner's contract). */
  apply(db: Db, events: DecodedEvent<B>[]): Promise<void>
  /** Empties the read model, before a rebuild. */
  reset(db: Db): Promise<void>
}

/**
 * A reaction to signals (XP, badges, mastery...): a read model kept from the signal log, checkpointed and
 * rebuilt like a projector. `signals` declares what it subscribes to; it sees nothing else, decoded.
 */
export type SignalReactor<B extends SignalBody = SignalBody> = {
  name: string
  reads: 'signals'
  signals: SignalContract<B>
  apply(db: Db, signals: DecodedSignal<B>[]): Promise<void>
  reset(db: Db): Promise<void>
}

export type Projector = EventProjector | SignalReactor

export type ProjectionRun = { processed: number; failed: { seq: number; error: string } | null }

const BATCH_SIZE = 500

// One run at a time per projector in this process; PostgreSQL advisory locks do the same across nodes.
const running = new Map<string, Promise<unknown>>()

function serialised<T>(name: string, task: () => Promise<T>): Promise<T> {
  const previous = running.get(name) ?? Promise.resolve()
  const next = previous.then(task, task)
  running.set(
    name,
    next.catch(() => undefined),
  )
  return next
}

function lockKey(name: string): number {
  let hash = 0
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) | 0
  return hash
}

/**
 * Where the checkpoint `name` stands, created at 0 when new. The runner keeps every checkpoint; a module
 * that follows a feed of its own past one (the outbox, for webhook deliveries) reads and moves it through
 * this function and `advanceCheckpoint`, never by writing the table.
 */
export async function checkpointOf(db: Db, name: string, at: string): Promise<number> {
  await db
    .insertInto('projection_checkpoints')
    .values({ name, seq: 0, updated_at: at, attempts: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  const row = await db
    .selectFrom('projection_checkpoints')
    .select('seq')
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
  return Number(row.seq)
}

/** Moves the checkpoint `name` to `seq`; inside the transaction that writes what was read up to it. */
export async function advanceCheckpoint(trx: Db, name: string, seq: number, at: string): Promise<void> {
  await trx
    .updateTable('projection_checkpoints')
    .set({ seq, updated_at: at })
    .where('name', '=', name)
    .execute()
}

/** Reads the next batch after `from` and applies what the projector subscribes to; returns all it read. */
async function readBatch(trx: Db, registry: EventRegistry, projector: Projector, from: number) {
  if (projector.reads === 'signals') {
    const signals = await readSignalsAfter(trx, from, BATCH_SIZE)
    const wanted = decodeSignals(projector.signals, signals)
    if (wanted.length > 0) await projector.apply(trx, wanted)
    return signals
  }
  const events = await readEventsAfter(trx, registry, from, BATCH_SIZE)
  if (events.length > 0) await projector.apply(trx, events)
  return events
}

/**
 * Applies every event (or signal, for a reactor) after the projector's checkpoint, batch by batch, each batch in one transaction
 * with the checkpoint move. A failing batch is rolled back and recorded (error, attempts); the checkpoint
 * stays behind it, so the events are retried and never lost.
 */
export function runProjector(
  db: Db,
  registry: EventRegistry,
  projector: Projector,
  clock: Clock,
): Promise<ProjectionRun> {
  return serialised(projector.name, async () => {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter
    // Created outside the batch transaction, so that a first batch that fails can still be recorded.
    await checkpointOf(db, projector.name, clock.now().toISOString())
    let processed = 0
    for (;;) {
      let batchEnd = 0
      try {
        const count = await db.transaction().execute(async (trx) => {
          if (postgres) await sql`select pg_advisory_xact_lock(${lockKey(projector.name)})`.execute(trx)
          const at = clock.now().toISOString()
          const from = await checkpointOf(trx, projector.name, at)
          const items = await readBatch(trx, registry, projector, from)
          if (items.length === 0) return 0
          batchEnd = items[items.length - 1]?.seq ?? from
          await trx
            .updateTable('projection_checkpoints')
            .set({
              seq: batchEnd,
              updated_at: at,
              failed_at: null,
              failed_seq: null,
              error: null,
              attempts: 0,
            })
            .where('name', '=', projector.name)
            .execute()
          return items.length
        })
        processed += count
        // A short batch means the log is drained: no need for another, empty, transaction.
        if (count < BATCH_SIZE) return { processed, failed: null }
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err)
        await db
          .updateTable('projection_checkpoints')
          .set((eb) => ({
            failed_at: clock.now().toISOString(),
            failed_seq: batchEnd || null,
            error: error.slice(0, 2000),
            attempts: eb('attempts', '+', 1),
          }))
          .where('name', '=', projector.name)
          .execute()
        return { processed, failed: { seq: batchEnd, error } }
      }
    }
  })
}

/**
 * Runs `task` in one transaction that no batch of the projector `name` interleaves with: behind this
 * process's runs of it, and on PostgreSQL under the advisory lock its batches take. For work beside a
 * projector on the rows it keeps, such as a school's XP paid again at new amounts while the reactor goes
 * on: the checkpoint read inside stays put until the task commits. Keep the task short, the projector waits.
 */
export function withProjectorLock<T>(db: Db, name: string, task: (trx: Db) => Promise<T>): Promise<T> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  return serialised(name, () =>
    db.transaction().execute(async (trx) => {
      if (postgres) await sql`select pg_advisory_xact_lock(${lockKey(name)})`.execute(trx)
      return task(trx)
    }),
  )
}

/**
 * Holds off every batch of these projectors until `trx` ends, once those running have committed: for work
 * that rewrites rows of the logs and of the read models together (a person's erasure), which a batch in
 * flight would otherwise write back under the old values. Call it before any other write of `trx`. Only
 * PostgreSQL needs it: SQLite lets one writer at a time, and a batch that read before the change fails and
 * is retried.
 */
export async function holdProjectors(trx: Db, names: string[]): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return
  // One order for every caller, so that two of them never wait on each other.
  for (const key of [...new Set(names.map(lockKey))].sort((a, b) => a - b)) {
    await sql`select pg_advisory_xact_lock(${key})`.execute(trx)
  }
}

async function headOf(db: Db, log: 'lms_event' | 'lms_signal'): Promise<number> {
  const row = await db
    .selectFrom(log)
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst()
  return Number(row?.seq ?? 0)
}

/**
 * Runs projectors in order (event projectors, then reactors reading the signals they append), skipping
 * those already at the head of their log: most requests produce no signal, and then no reactor runs.
 */
export async function catchUp(db: Db, registry: EventRegistry, projectors: Projector[], clock: Clock) {
  const rows = await db.selectFrom('projection_checkpoints').select(['name', 'seq']).execute()
  const checkpoints = new Map(rows.map((r) => [r.name, Number(r.seq)]))
  const heads = new Map<'lms_event' | 'lms_signal', number>()
  const runs: (ProjectionRun & { name: string })[] = []
  for (const projector of projectors) {
    const log = projector.reads === 'signals' ? 'lms_signal' : 'lms_event'
    const head = heads.get(log) ?? (await headOf(db, log))
    heads.set(log, head)
    const checkpoint = checkpoints.get(projector.name)
    if (checkpoint !== undefined && checkpoint >= head) {
      runs.push({ name: projector.name, processed: 0, failed: null })
      continue
    }
    const run = await runProjector(db, registry, projector, clock)
    runs.push({ name: projector.name, ...run })
    // What ran may have appended signals (reactors can, too): read the heads again.
    if (run.processed > 0) heads.clear()
  }
  return runs
}

/** Empties the read model and replays the whole log into it. */
export async function rebuildProjection(db: Db, registry: EventRegistry, projector: Projector, clock: Clock) {
  await serialised(projector.name, () =>
    db.transaction().execute(async (trx) => {
      await projector.reset(trx)
      await checkpointOf(trx, projector.name, clock.now().toISOString())
      await trx
        .updateTable('projection_checkpoints')
        .set({ seq: 0 })
        .where('name', '=', projector.name)
        .execute()
    }),
  )
  return runProjector(db, registry, projector, clock)
}

export type ProjectionStatus = {
  name: string
  checkpoint: number
  lag: number
  failed_at: string | null
  error: string | null
  attempts: number
}

/** How many entries of a log come after `seq` (sequences have gaps: a conflicting insert uses a number). */
async function countAfter(db: Db, log: 'lms_event' | 'lms_signal', seq: number): Promise<number> {
  const row = await db
    .selectFrom(log)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('seq', '>', seq)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** Where each projector stands: its checkpoint, and how many events or signals it has yet to apply. */
export async function projectionStatus(db: Db, projectors: Projector[]): Promise<ProjectionStatus[]> {
  const rows = await db.selectFrom('projection_checkpoints').selectAll().execute()
  const statuses: ProjectionStatus[] = []
  for (const { name, reads } of projectors) {
    const row = rows.find((r) => r.name === name)
    const checkpoint = Number(row?.seq ?? 0)
    statuses.push({
      name,
      checkpoint,
      lag: await countAfter(db, reads === 'signals' ? 'lms_signal' : 'lms_event', checkpoint),
      failed_at: row?.failed_at ?? null,
      error: row?.error ?? null,
      attempts: row?.attempts ?? 0,
    })
  }
  return statuses
}
