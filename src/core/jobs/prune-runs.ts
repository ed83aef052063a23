import type { Db } from '../db/database.ts'
import type { ScheduledJob } from './job.ts'
import { deleteRunsBefore } from './repository.ts'

const JOB_RUN_RETENTION_DAYS = 90

/**
 * Keeps `job_runs` from growing without end: every day, forgets the runs that started more than 90 days
 * before the period. Idempotent: the cut-off comes from the period, not from "now".
 */
export function pruneJobRunsJob(db: Db): ScheduledJob {
  return {
    name: 'jobs.prune-runs',
    description: `forgets job runs older than ${JOB_RUN_RETENTION_DAYS} days`,
    schedule: { cron: '17 3 * * *', timezone: 'UTC' },
    async run(ctx) {
      const before = new Date(ctx.scheduledAt.getTime() - JOB_RUN_RETENTION_DAYS * 86_400_000)
      const deleted = await deleteRunsBefore(db, before.toISOString())
      ctx.logger.info({ deleted, before: before.toISOString() }, 'old job runs forgotten')
      return { deleted }
    },
  }
}
