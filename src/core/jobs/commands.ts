import type { Db } from '../db/database.ts'
import { type ExecuteDeps, executeJob, type JobOccurrence, type RunResult } from './execute.ts'
import { isScheduled, ORGANISATION_TIMEZONE, type ScheduledJob } from './job.ts'
import type { JobRegistry } from './registry.ts'
import { lastRuns } from './repository.ts'
import { describeSchedule } from './schedule.ts'
import { occurrencesAt } from './scheduler.ts'
import type { JobRunRow } from './tables.ts'

// What `sillon jobs list` and `sillon jobs run` do.

export type JobListing = {
  name: string
  description: string | null
  schedule: string
  lastRun: JobRunRow | null
}

/** Every registered job with its schedule ("queued" for queued jobs) and its latest run that did run. */
export async function listJobs(db: Db, registry: JobRegistry): Promise<JobListing[]> {
  const jobs = registry.list()
  const last = await lastRuns(
    db,
    jobs.map((job) => job.name),
  )
  return jobs.map((job) => ({
    name: job.name,
    description: job.description ?? null,
    schedule: isScheduled(job) ? describeSchedule(job.schedule) : 'queued',
    lastRun: last.get(job.name) ?? null,
  }))
}

/**
 * Runs a scheduled job now, by hand, for the period that contains `at` (one run per organisation for a
 * per-organisation job, or only `orgId`'s). Like any run, a period already done is recorded as skipped.
 */
export async function runJobByHand(
  deps: ExecuteDeps & { registry: JobRegistry },
  job: ScheduledJob,
  at: Date,
  orgId?: string,
): Promise<{ occurrence: JobOccurrence; result: RunResult }[]> {
  const organisations =
    job.schedule.timezone === ORGANISATION_TIMEZONE
      ? (await deps.registry.organisations()).filter((org) => orgId === undefined || org.id === orgId)
      : []
  const runs = []
  for (const occurrence of occurrencesAt(job, organisations, at, deps.logger)) {
    runs.push({ occurrence, result: await executeJob(deps, job, occurrence, 'manual') })
  }
  return runs
}
