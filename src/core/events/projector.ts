import { PostgresAdapter, sql } from 'kysely'
import type { Clock } from '../clock.ts'
import type { Db } from '../db/database.ts'
import { type EventRegistry, readEventsAfter, type StoredEvent } from './event-store.ts'

/** A read model kept up to date from the event log. `apply` must be deterministic: replays give the same rows. */
export type Projector = {
  name: string
  apply(db: Db, events: StoredEvent[]): Promise<void>
  /** Empties the read model, before a rebuild. */
  reset(db: Db): Promise<void>
}

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

async function checkpointOf(db: Db, name: string, at: string): Promise<number> {
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

/**
 * Applies every event after the projector's checkpoint, batch by batch, each batch in one transaction
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
          const events = await readEventsAfter(trx, registry, from, BATCH_SIZE)
          if (events.length === 0) return 0
          batchEnd = events[events.length - 1]?.seq ?? from
          await projector.apply(trx, events)
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
          return events.length
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

export async function projectionStatus(db: Db, names: string[], head: number): Promise<ProjectionStatus[]> {
  const rows = await db.selectFrom('projection_checkpoints').selectAll().execute()
  return names.map((name) => {
    const row = rows.find((r) => r.name === name)
    const checkpoint = Number(row?.seq ?? 0)
    return {
      name,
      checkpoint,
      lag: head - checkpoint,
      failed_at: row?.failed_at ?? null,
      error: row?.error ?? null,
      attempts: row?.attempts ?? 0,
    }
  })
}
