import type { Logger } from 'pino'
import type { z } from 'zod'
import type { Clock } from '../clock.ts'

/**
 * When a scheduled job runs: a cron expression (5 fields, or 6 with seconds) read in `timezone`.
 * `timezone: 'organisation'` runs the job once per organisation, at the cron time of the organisation's
 * own time zone (a daily job at `0 0 * * *` closes each school's day at its midnight).
 */
export type Schedule = { cron: string; timezone?: string }

export const ORGANISATION_TIMEZONE = 'organisation'

/** What a run is for, and what it may use. */
export type JobContext<P = undefined> = {
  /**
   * Stable key of what the run is for: the scheduled instant (ISO, UTC) of a scheduled job, the key of a
   * queued one. Every run for the same period gets the same key; the runner records at most one
   * successful run per key, and the job's effects should be keyed on it too (deterministic ids).
   */
  period: string
  /** The instant the run is for: the cron occurrence, or when a queued job was enqueued. Not "now". */
  scheduledAt: Date
  /** The organisation of a per-organisation run (or of a queued job enqueued for one); null otherwise. */
  orgId: string | null
  /** The IANA time zone the schedule was read in (the organisation's, for per-organisation jobs). */
  timezone: string
  payload: P
  clock: Clock
  logger: Logger
  /** Aborted when the run exceeds its job's `timeoutMs`: long jobs should stop at the next safe point. */
  signal: AbortSignal
}

type JobBase = {
  /** Unique, dotted by module: `gamification.close-streak-day`. */
  name: string
  description?: string
  /** A run still going after this long is recorded as failed (default 15 minutes). */
  timeoutMs?: number
  /** How many times a failed run is tried again, with growing delays (default 2). */
  retries?: number
}

export type ScheduledJob = JobBase & {
  schedule: Schedule
  run(ctx: JobContext): Promise<unknown>
}

export type QueuedJob<P = unknown> = JobBase & {
  /** Checks the payload when it is enqueued and again when it runs. */
  payload: z.ZodType<P>
  run(ctx: JobContext<P>): Promise<unknown>
}

export type JobDefinition = ScheduledJob | QueuedJob

export function isScheduled(job: JobDefinition): job is ScheduledJob {
  return 'schedule' in job
}

/** An organisation as schedules see it: per-organisation jobs run in its time zone. */
export type OrganisationZone = { id: string; timezone: string }

export type EnqueueOptions = {
  /** Idempotency key: enqueueing twice with the same key runs the job once. Default: a new id. */
  key?: string
  /** The organisation the job works for, recorded with its runs. */
  orgId?: string
}

/** What modules use to hand work to the background. */
export type JobQueue = {
  enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<void>
}

/** Runs the jobs of a registry: in process (SQLite) or through pg-boss (PostgreSQL). */
export type JobRunner = JobQueue & {
  /** Starts the scheduler and the workers; until then nothing runs (enqueued jobs wait, with pg-boss). */
  start(): Promise<void>
  /** Stops scheduling, and waits (bounded) for runs in progress to end. */
  stop(): Promise<void>
  /** Runs what is due now. The runner calls it at each cron time; tests call it with a fixed clock. */
  tick(): Promise<void>
}

export const DEFAULT_TIMEOUT_MS = 15 * 60_000
export const DEFAULT_RETRIES = 2
