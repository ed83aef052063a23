import type { Logger } from 'pino'
import type { Clock } from '../clock.ts'
import type { DbHandle } from '../db/database.ts'
import { createInProcessRunner } from './in-process-runner.ts'
import type { JobRunner } from './job.ts'
import { createPgBossRunner } from './pg-boss-runner.ts'
import type { JobRegistry } from './registry.ts'

export type JobRunnerOptions = {
  registry: JobRegistry
  database: DbHandle
  clock: Clock
  logger: Logger
  /** DATABASE_URL, for pg-boss's own connections (PostgreSQL only). */
  databaseUrl?: string
  /** Whether this node runs the scheduler and the workers (JOBS_ENABLED). */
  work: boolean
}

/** The runner for the database in use: in process on SQLite, pg-boss on PostgreSQL. */
export async function createJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const { registry, database, clock, logger } = options
  const deps = { registry, db: database.db, clock, logger }
  if (database.dialect === 'sqlite') {
    const runner = createInProcessRunner(deps)
    return { ...runner, start: async () => (options.work ? runner.start() : undefined) }
  }
  if (!options.databaseUrl) throw new Error('the PostgreSQL job runner needs the database URL')
  return createPgBossRunner({ ...deps, connectionString: options.databaseUrl, work: options.work })
}
