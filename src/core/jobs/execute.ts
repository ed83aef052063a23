import type { Logger } from 'pino'
import type { Clock } from '../clock.ts'
import type { Db } from '../db/database.ts'
import { newId } from '../ids.ts'
import { DEFAULT_TIMEOUT_MS, isScheduled, type JobContext, type JobDefinition } from './job.ts'
import { claimRun, finishRun, holderOf, insertRun } from './repository.ts'
import type { JobTrigger } from './tables.ts'

export type ExecuteDeps = { db: Db; clock: Clock; logger: Logger }

/** One period of one job: what a scheduler, a queue message or the command line asks to run. */
export type JobOccurrence = {
  period: string
  scheduledAt: Date
  orgId: string | null
  timezone: string
  payload?: unknown
}

export type RunResult = {
  runId: string
  outcome: 'ok' | 'failed' | 'skipped'
  durationMs: number
  error: string | null
  /** Why a run was skipped: the run that holds its period. */
  heldBy?: { id: string; outcome: string }
}

/** A run still `running` this long after its timeout belongs to a process that died. */
const STALE_AFTER_TIMEOUT_MS = 60_000

class JobTimeoutError extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number, controller: AbortController): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(
        `timed out after ${ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`,
      )
      // Rejected before the abort, so that a job that stops on the signal is still recorded as timed out.
      reject(error)
      controller.abort(error)
    }, ms)
    timer.unref?.()
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Runs one job for one period, at most once per period whatever the number of nodes: the run is first
 * claimed in `job_runs` (see `claimRun`); a period already done or in progress elsewhere is recorded as
 * `skipped` without running the job. The job's own failure is recorded (`failed`, with its message) and
 * returned, never thrown; only a database failure while recording escapes.
 */
export async function executeJob(
  deps: ExecuteDeps,
  job: JobDefinition,
  occurrence: JobOccurrence,
  trigger: JobTrigger,
): Promise<RunResult> {
  const { db, clock } = deps
  const timeoutMs = job.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const startedAt = clock.now()
  const row = {
    id: newId(),
    job_name: job.name,
    period_key: occurrence.period,
    org_id: occurrence.orgId,
    trigger,
    started_at: startedAt.toISOString(),
  }
  const logger = deps.logger.child({
    job: job.name,
    period: occurrence.period,
    ...(occurrence.orgId ? { org: occurrence.orgId } : {}),
  })
  const staleBefore = new Date(startedAt.getTime() - timeoutMs - STALE_AFTER_TIMEOUT_MS).toISOString()
  const claimed = await claimRun(
    db,
    { ...row, outcome: 'running', finished_at: null, duration_ms: null, error: null },
    staleBefore,
  )
  if (!claimed) {
    const holder = await holderOf(db, {
      jobName: job.name,
      period: occurrence.period,
      orgId: occurrence.orgId,
    })
    await insertRun(db, {
      ...row,
      outcome: 'skipped',
      finished_at: row.started_at,
      duration_ms: 0,
      error: null,
    })
    logger.debug({ heldBy: holder?.id }, 'job run skipped: its period is already done or in progress')
    return {
      runId: row.id,
      outcome: 'skipped',
      durationMs: 0,
      error: null,
      ...(holder ? { heldBy: { id: holder.id, outcome: holder.outcome } } : {}),
    }
  }

  // Durations are measured, not read from the injected clock, which a test may hold still.
  const started = performance.now()
  const controller = new AbortController()
  let error: string | null = null
  try {
    const payload = isScheduled(job) ? undefined : job.payload.parse(occurrence.payload)
    const ctx: JobContext<unknown> = {
      period: occurrence.period,
      scheduledAt: occurrence.scheduledAt,
      orgId: occurrence.orgId,
      timezone: occurrence.timezone,
      payload,
      clock,
      logger,
      signal: controller.signal,
    }
    await withTimeout((job.run as (ctx: JobContext<unknown>) => Promise<unknown>)(ctx), timeoutMs, controller)
  } catch (err) {
    error = (err instanceof Error ? err.message : String(err)).slice(0, 2000) || 'failed'
  }
  const durationMs = Math.round(performance.now() - started)
  await finishRun(db, row.id, {
    outcome: error === null ? 'ok' : 'failed',
    finished_at: clock.now().toISOString(),
    duration_ms: durationMs,
    error,
  })
  if (error === null) logger.info({ durationMs }, 'job run ok')
  else logger.error({ durationMs, error }, 'job run failed')
  return { runId: row.id, outcome: error === null ? 'ok' : 'failed', durationMs, error }
}
