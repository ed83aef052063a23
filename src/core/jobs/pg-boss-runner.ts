import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import PgBoss from 'pg-boss'
import { newId } from '../ids.ts'
import { type ExecuteDeps, executeJob, type JobOccurrence } from './execute.ts'
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, type JobDefinition, type JobRunner } from './job.ts'
import type { JobRegistry } from './registry.ts'
import { createScheduler } from './scheduler.ts'
import type { JobTrigger } from './tables.ts'

export type PgBossRunnerOptions = ExecuteDeps & {
  registry: JobRegistry
  /** The database pg-boss connects to: Sillon's own (DATABASE_URL). */
  connectionString: string
  /** Where pg-boss keeps its tables; default: Sillon's schema (the search path's first), see below. */
  schema?: string
  /** Run the scheduler and work the queues on this node; when false it only enqueues (JOBS_ENABLED). */
  work?: boolean
  /** How often an idle worker looks for jobs (default 2 s). */
  pollingIntervalSeconds?: number
  /** First wait before a failed run is tried again; doubles at each try (default 30 s). */
  retryDelaySeconds?: number
}

/** What a queue message carries: one occurrence of one job. */
type Message = {
  period: string
  scheduledAt: string
  orgId: string | null
  timezone: string
  trigger: JobTrigger
  payload?: unknown
}

/**
 * The same (job, period, organisation) always gets the same job id, so when several nodes send the
 * occurrence they all computed, pg-boss stores it once (its insert ignores a known id) and one worker runs it.
 */
export function messageId(jobName: string, period: string, orgId: string | null): string {
  const hex = createHash('sha256')
    .update(`${jobName}\n${period}\n${orgId ?? ''}`)
    .digest('hex')
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

function occurrenceOf(message: Message): JobOccurrence {
  return {
    period: message.period,
    scheduledAt: new Date(message.scheduledAt),
    orgId: message.orgId,
    timezone: message.timezone,
    payload: message.payload,
  }
}

/**
 * PostgreSQL mode: pg-boss on Sillon's database. Every node runs the scheduler (croner, on the injected
 * clock) and sends each occurrence it finds due under a deterministic id, so pg-boss holds one message per
 * period whatever the number of nodes; any node's worker takes it, and pg-boss retries it with backoff when
 * it fails. `job_runs` stays the last word: a period already done is skipped, whoever delivers it again.
 *
 * pg-boss keeps its tables (job, queue, schedule, subscription, version, archive) in Sillon's own schema, like
 * the rest of Sillon's data: one schema holds a deployment, and a test that drops its schema drops them.
 */
export async function createPgBossRunner(options: PgBossRunnerOptions): Promise<JobRunner> {
  const { registry, clock, logger, db } = options
  const work = options.work ?? true
  const schema =
    options.schema ??
    (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
  if (!schema) throw new Error('PostgreSQL has no current schema: check the search_path of the database user')
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema,
    max: 3,
    application_name: 'sillon-jobs',
    // Sillon's scheduler places runs in time (per-organisation time zones, injected clock); pg-boss's own
    // cron is left off, and only nodes that work the queues also maintain them.
    schedule: false,
    supervise: work,
  })
  boss.on('error', (err) => logger.error({ err }, 'job queue error'))
  const workers = new Map<string, string>()

  async function send(job: JobDefinition, message: Message, id: string) {
    await boss.send(job.name, message, { id })
    const worker = workers.get(job.name)
    // Saves this node's worker a polling interval; other nodes find the message at their next poll.
    if (worker) boss.notifyWorker(worker)
  }

  const scheduler = createScheduler({
    registry,
    clock,
    logger,
    dispatch: (job, occurrence) =>
      send(
        job,
        {
          period: occurrence.period,
          scheduledAt: occurrence.scheduledAt.toISOString(),
          orgId: occurrence.orgId,
          timezone: occurrence.timezone,
          trigger: 'schedule',
        },
        messageId(job.name, occurrence.period, occurrence.orgId),
      ),
  })

  let started = false
  return {
    async start() {
      if (started) return
      await boss.start()
      started = true
      for (const job of registry.list()) {
        const queue = {
          name: job.name,
          retryLimit: job.retries ?? DEFAULT_RETRIES,
          retryDelay: options.retryDelaySeconds ?? 30,
          retryBackoff: true,
          // A little longer than the run's own timeout, which records the failure first.
          expireInSeconds: Math.ceil((job.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000) + 60,
        }
        await boss.createQueue(job.name, queue)
        await boss.updateQueue(job.name, queue)
        if (!work) continue
        const worker = await boss.work<Message>(
          job.name,
          { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
          async (messages) => {
            for (const message of messages) {
              const result = await executeJob(options, job, occurrenceOf(message.data), message.data.trigger)
              // Thrown so that pg-boss tries again later; the failure is already recorded in job_runs.
              if (result.outcome === 'failed') throw new Error(result.error ?? 'failed')
            }
          },
        )
        workers.set(job.name, worker)
      }
      if (work) await scheduler.start()
    },
    async stop() {
      await scheduler.stop()
      if (started) await boss.stop({ graceful: true, wait: true, timeout: 30_000 })
      started = false
    },
    tick: () => scheduler.tick(),
    async enqueue(name, payload, enqueueOptions = {}) {
      const job = registry.queued(name)
      job.payload.parse(payload)
      if (!started) throw new Error(`cannot enqueue ${name}: the job queue is not started`)
      const key = enqueueOptions.key ?? newId()
      const orgId = enqueueOptions.orgId ?? null
      await send(
        job,
        {
          period: key,
          scheduledAt: clock.now().toISOString(),
          orgId,
          timezone: 'UTC',
          trigger: 'queue',
          payload,
        },
        messageId(name, key, orgId),
      )
    },
  }
}
