import { sql } from 'kysely'
import type { ScheduledJob } from '../jobs/job.ts'
import type { Db } from './database.ts'

/** Rows ANALYZE reads per index at most: statistics good enough to plan with, in milliseconds. */
export const ANALYSIS_LIMIT = 1000

/**
 * SQLite plans with statistics (`sqlite_stat1`) that only ANALYZE writes; without them it may walk a
 * whole school through the wrong index. SQLite's advice for a long-lived connection: `PRAGMA optimize` when
 * it opens (connect-node.ts) and then regularly; it analyses only the tables whose size changed enough, each
 * within `analysis_limit`. PostgreSQL's autovacuum keeps its own statistics: the job is SQLite's only.
 */
export function optimizeStatisticsJob(db: Db): ScheduledJob {
  return {
    name: 'db.optimize-statistics',
    description: 'refreshes the SQLite query planner statistics of tables that changed',
    schedule: { cron: '41 * * * *', timezone: 'UTC' },
    async run(ctx) {
      await sql`pragma analysis_limit = ${sql.raw(String(ANALYSIS_LIMIT))}`.execute(db)
      await sql`pragma optimize = 0x10002`.execute(db)
      const { rows } = await sql<{ n: number }>`select count(*) as n from sqlite_stat1`.execute(db)
      const analysed = Number(rows[0]?.n ?? 0)
      ctx.logger.info({ analysed }, 'query planner statistics refreshed')
      return { analysed }
    },
  }
}
