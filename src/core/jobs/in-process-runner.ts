import { newId } from '../ids.ts'
import { type ExecuteDeps, executeJob, type JobOccurrence } from './execute.ts'
import { DEFAULT_RETRIES, type JobDefinition, type JobRunner } from './job.ts'
import type { JobRegistry } from './registry.ts'
import { createScheduler } from './scheduler.ts'
import type { JobTrigger } from './tables.ts'

export type InProcessRunnerOptions = ExecuteDeps & {
  registry: JobRegistry
  /** First wait before trying a failed run again; doubles at each try (default 30 s). */
  retryDelayMs?: number
  /** How long `stop` waits for runs in progress (default 30 s). */
  stopTimeoutMs?: number
}

/**
 * Embedded mode (SQLite, one process): croner places the runs in time, the jobs run in this process, and a
 * failed run is tried again after a growing delay. Queued jobs live in memory: one enqueued but not yet
 * finished when the process stops is not run (embedded mode has no other node to take it over).
 */
export function createInProcessRunner(
  options: InProcessRunnerOptions,
): JobRunner & { idle(): Promise<void> } {
  const { registry, clock, logger } = options
  const retryDelayMs = options.retryDelayMs ?? 30_000
  const inFlight = new Set<Promise<unknown>>()
  const retryTimers = new Set<ReturnType<typeof setTimeout>>()
  let started = false

  function launch(job: JobDefinition, occurrence: JobOccurrence, trigger: JobTrigger, attempt = 0) {
    const run = executeJob(options, job, occurrence, trigger)
      .then((result) => {
        if (result.outcome !== 'failed' || attempt >= (job.retries ?? DEFAULT_RETRIES) || !started) return
        const timer = setTimeout(
          () => {
            retryTimers.delete(timer)
            launch(job, occurrence, trigger, attempt + 1)
          },
          retryDelayMs * 2 ** attempt,
        )
        timer.unref?.()
        retryTimers.add(timer)
      })
      .catch((err: unknown) => logger.error({ job: job.name, err }, 'job run could not be recorded'))
      .finally(() => inFlight.delete(run))
    inFlight.add(run)
  }

  const scheduler = createScheduler({
    registry,
    clock,
    logger,
    dispatch: async (job, occurrence) => launch(job, occurrence, 'schedule'),
  })

  return {
    async start() {
      started = true
      await scheduler.start()
    },
    async stop() {
      started = false
      await scheduler.stop()
      for (const timer of retryTimers) clearTimeout(timer)
      retryTimers.clear()
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.stopTimeoutMs ?? 30_000)
      })
      await Promise.race([Promise.allSettled([...inFlight]), timeout])
      clearTimeout(timer)
    },
    tick: () => scheduler.tick(),
    async enqueue(name, payload, enqueueOptions = {}) {
      const job = registry.queued(name)
      job.payload.parse(payload)
      if (!started) throw new Error(`cannot enqueue ${name}: jobs do not run in this process (JOBS_ENABLED)`)
      const now = clock.now()
      launch(
        job,
        {
          period: enqueueOptions.key ?? newId(),
          scheduledAt: now,
          orgId: enqueueOptions.orgId ?? null,
          timezone: 'UTC',
          payload,
        },
        'queue',
      )
    },
    /** Resolves once every run started so far has ended (tests). */
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight])
    },
  }
}
