import { z } from '@hono/zod-openapi'
import { withProjectorLock } from '../../../core/events/projector.ts'
import { countSignalsOfOrg, decodeSignals, readSignalsOfOrg } from '../../../core/events/signal-log.ts'
import { AppError, conflict } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import type { QueuedJob } from '../../../core/jobs/job.ts'
import { type AuditActor, recordAudit } from '../../audit/index.ts'
import { weeklyXp } from '../projections/time-zones.ts'
import { XP_REACTOR } from '../projections/xp.ts'
import * as repo from '../repository/index.ts'
import { readSettings } from '../rules/settings.ts'
import { xpCausesOf, xpEntryId, xpOfSignal, xpSignals } from '../rules/xp.ts'
import type { GamificationDeps } from '../service.ts'
import { activeRun, findRun, insertRun, latestRun, updateRun, type XpRebuild } from './runs.ts'

// A school's past activity paid again at its current XP amounts, in the background (issue 14). The job
// rewrites, for that school only, what the XP reactor wrote for its signals up to the reactor's checkpoint
// when the run starts, batch by batch, each batch a short transaction under the reactor's lock; the reactor
// goes on meanwhile and pays later signals at the current amounts itself, so nothing is paid twice or lost.

export const REBUILD_XP_JOB = 'gamification.rebuild-xp'

/** Signals per batch: one short transaction each, the reactor waiting meanwhile. */
const BATCH_SIZE = 500
/** A run longer than this is stopped (and tried again from where it stood). */
const TIMEOUT_MS = 30 * 60_000
/** A queued or running run silent for this long was abandoned by its process: a new request replaces it. */
const STALE_AFTER_MS = TIMEOUT_MS + 60_000

export type XpRebuildView = {
  id: string
  status: XpRebuild['status']
  processed: number
  total: number
  requested_at: string
  started_at: string | null
  finished_at: string | null
  error: string | null
}

function viewOf(run: Omit<XpRebuild, 'number'>): XpRebuildView {
  const { id, status, processed, total, requested_at, started_at, finished_at, error } = run
  return { id, status, processed, total, requested_at, started_at, finished_at, error }
}

/** The school's latest rebuild (null before the first). */
export async function latestXpRebuild(deps: GamificationDeps, orgId: string) {
  const run = await latestRun(deps.db, orgId)
  return { run: run ? viewOf(run) : null }
}

/**
 * Queues a rebuild of the school's XP at its current amounts, or answers the one already queued or running
 * (`started: false`). A run whose process died (no progress for longer than a run may last) is recorded as
 * failed and replaced.
 */
export async function requestXpRebuild(
  deps: GamificationDeps,
  orgId: string,
  by: AuditActor,
): Promise<{ run: XpRebuildView; started: boolean }> {
  const { db, clock } = deps
  const now = clock.now()
  const active = await activeRun(db, orgId)
  if (active && now.getTime() - Date.parse(active.updated_at) < STALE_AFTER_MS) {
    return { run: viewOf(active), started: false }
  }
  if (active) {
    const at = now.toISOString()
    await updateRun(
      db,
      orgId,
      active.id,
      {
        status: 'failed',
        error: 'abandoned: the process running it stopped',
        finished_at: at,
        updated_at: at,
      },
      active.updated_at,
    )
  }
  if (!deps.jobs) throw unavailable()
  const at = now.toISOString()
  const row = {
    id: newId(),
    org_id: orgId,
    status: 'queued' as const,
    target_seq: null,
    cursor_seq: 0,
    total: 0,
    processed: 0,
    requested_at: at,
    started_at: null,
    finished_at: null,
    updated_at: at,
    error: null,
  }
  if (!(await insertRun(db, row))) {
    // Another request queued one between the read and the insert.
    const other = await activeRun(db, orgId)
    if (other) return { run: viewOf(other), started: false }
    throw conflict('rebuild_in_progress', 'Another XP rebuild of this school was asked at the same time')
  }
  await recordAudit(deps, {
    orgId,
    actor: by,
    action: 'gamification.xp_rebuild_requested',
    target: { type: 'gamification_settings', id: orgId },
    details: { run_id: row.id },
  })
  try {
    await deps.jobs.enqueue(REBUILD_XP_JOB, { run_id: row.id }, { key: row.id, orgId })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    await updateRun(db, orgId, row.id, { status: 'failed', error: message, finished_at: at, updated_at: at })
    throw unavailable()
  }
  return { run: viewOf(row), started: true }
}

const unavailable = () =>
  new AppError(
    503,
    'jobs_unavailable',
    'Background jobs do not run on this server: run `sillon projections rebuild gamification_xp` instead',
  )

type Progress = { target: number; total: number; cursor: number; processed: number }

export type ReplayOptions = {
  /** Stops the run between two batches (the job's timeout). */
  abort?: AbortSignal
  batchSize?: number
  /** Called after each batch is committed, outside the reactor's lock. */
  onProgress?: (progress: { processed: number; total: number }) => Promise<void> | void
}

/**
 * Runs (or resumes, after a failure) one rebuild of the school's XP. A run already done, or a failed one
 * that a newer request replaced, is left as it is; a failure is recorded on the run and thrown, so that
 * the job runner tries again from the last batch written.
 */
export async function rebuildSchoolXp(
  deps: GamificationDeps,
  orgId: string,
  runId: string,
  options: ReplayOptions = {},
): Promise<{ processed: number; total: number }> {
  const run = await findRun(deps.db, orgId, runId)
  if (!run || run.status === 'done') return { processed: run?.processed ?? 0, total: run?.total ?? 0 }
  if (run.status === 'failed' && (await latestRun(deps.db, orgId))?.id !== run.id) {
    return { processed: run.processed, total: run.total }
  }
  try {
    return await replay(deps, orgId, run, options)
  } catch (err) {
    const at = deps.clock.now().toISOString()
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 2000) || 'failed'
    await updateRun(deps.db, orgId, runId, { status: 'failed', error, finished_at: at, updated_at: at })
    throw err
  }
}

async function replay(deps: GamificationDeps, orgId: string, run: XpRebuild, options: ReplayOptions) {
  const { db, clock } = deps
  const { abort, batchSize = BATCH_SIZE } = options
  // Started under the reactor's lock, so that its checkpoint does not move while it is read: the run
  // rewrites the signals up to it, the reactor pays those after it. A retry keeps the first target.
  let progress = await withProjectorLock(db, XP_REACTOR, async (trx): Promise<Progress> => {
    const at = clock.now().toISOString()
    const target = run.target_seq === null ? await repo.checkpointOf(trx, XP_REACTOR) : Number(run.target_seq)
    const total =
      run.target_seq === null ? await countSignalsOfOrg(trx, orgId, xpSignals.types, target) : run.total
    await updateRun(trx, orgId, run.id, {
      status: 'running',
      target_seq: target,
      total,
      started_at: run.started_at ?? at,
      finished_at: null,
      error: null,
      updated_at: at,
    })
    return { target, total, cursor: Number(run.cursor_seq), processed: run.processed }
  })
  for (;;) {
    abort?.throwIfAborted()
    const from = progress
    const next = await withProjectorLock(db, XP_REACTOR, async (trx): Promise<Progress | null> => {
      const range = { after: from.cursor, through: from.target }
      const signals = decodeSignals(
        xpSignals,
        await readSignalsOfOrg(trx, orgId, xpSignals.types, range, batchSize),
      )
      const last = signals.at(-1)
      if (!last) return null
      // Read at each batch: the amounts the reactor pays new signals with at the same moment.
      const settings = readSettings(await repo.findSettings(trx, orgId))
      const entries = signals.flatMap((s) => xpOfSignal(s, settings)).filter((e) => e.points > 0)
      const ids = signals.flatMap((s) => xpCausesOf(s.type).map((cause) => xpEntryId(cause, s.id)))
      const at = clock.now().toISOString()
      await repo.replaceXp(trx, orgId, ids, await weeklyXp(deps.identity, trx, entries), at)
      const moved = { ...from, cursor: last.seq, processed: from.processed + signals.length }
      await updateRun(trx, orgId, run.id, {
        cursor_seq: moved.cursor,
        processed: moved.processed,
        updated_at: at,
      })
      return moved
    })
    if (!next) break
    progress = next
    await options.onProgress?.({ processed: next.processed, total: next.total })
  }
  const at = clock.now().toISOString()
  await updateRun(db, orgId, run.id, { status: 'done', finished_at: at, updated_at: at })
  return { processed: progress.processed, total: progress.total }
}

/** The job the settings page queues: one run per request, keyed on the run, for the school that asked. */
export function rebuildXpJob(deps: GamificationDeps): QueuedJob<{ run_id: string }> {
  return {
    name: REBUILD_XP_JOB,
    description: "Pays a school's past activity again at its current XP amounts (from the settings page)",
    payload: z.object({ run_id: z.string().min(1) }),
    timeoutMs: TIMEOUT_MS,
    run: async (ctx) => {
      if (!ctx.orgId) throw new Error(`${REBUILD_XP_JOB} runs for one school`)
      const result = await rebuildSchoolXp(deps, ctx.orgId, ctx.payload.run_id, { abort: ctx.signal })
      ctx.logger.info(result, 'school XP rebuilt')
      return result
    },
  }
}
