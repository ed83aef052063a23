import { sql } from 'kysely'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  createTestDatabase,
  insertOrganisation,
  insertStudents,
  type TestDatabase,
  testDialects,
} from '../../../test/helpers/databases.ts'
import { fixedClock } from '../clock.ts'
import { optimizeStatisticsJob } from '../db/optimize-statistics.ts'
import { runJobByHand } from './commands.ts'
import { executeJob } from './execute.ts'
import { createInProcessRunner } from './in-process-runner.ts'
import type { JobContext, OrganisationZone, QueuedJob, ScheduledJob } from './job.ts'
import { pruneJobRunsJob } from './prune-runs.ts'
import { createJobRegistry } from './registry.ts'
import { runsOf } from './repository.ts'

const silent = pino({ level: 'silent' })

const ORGS: OrganisationZone[] = [
  { id: 'org-paris', timezone: 'Europe/Paris' },
  { id: 'org-ny', timezone: 'America/New_York' },
]

for (const dialect of testDialects()) {
  describe(`jobs on ${dialect}`, () => {
    let database: TestDatabase

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      for (const org of ORGS) {
        await insertOrganisation(database.db, org.id, org.timezone)
      }
    })
    afterAll(async () => {
      await database?.drop()
    })

    /** A registry of fresh jobs (unique names per test, since the database is shared by the file). */
    function setup(...jobs: (ScheduledJob | QueuedJob)[]) {
      const clock = fixedClock('2026-11-22T12:00:00Z')
      const registry = createJobRegistry(async () => ORGS)
      registry.register(...jobs)
      const runner = createInProcessRunner({
        registry,
        db: database.db,
        clock,
        logger: silent,
        retryDelayMs: 5,
      })
      return { clock, registry, runner, deps: { db: database.db, clock, logger: silent, registry } }
    }

    /** The runs of a job as [period, organisation, trigger, outcome], sorted (runs may share a start time). */
    const outcomes = async (name: string) =>
      (await runsOf(database.db, name))
        .map((r) => [r.period_key, r.org_id, r.trigger, r.outcome])
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

    it('runs a scheduled job at its cron time on the injected clock, for the period of that time', async () => {
      const periods: string[] = []
      const { clock, runner } = setup({
        name: 'test.fires',
        schedule: { cron: '0 0 * * *' },
        run: async (ctx: JobContext) => {
          periods.push(`${ctx.period} ${ctx.scheduledAt.toISOString()} ${ctx.clock.now().toISOString()}`)
        },
      })
      clock.set('2026-11-22T23:59:59Z')
      await runner.tick()
      await runner.idle()
      expect(periods).toEqual([])
      clock.set('2026-11-23T00:00:00.250Z')
      await runner.tick()
      await runner.idle()
      expect(periods).toEqual(['2026-11-23T00:00:00.000Z 2026-11-23T00:00:00.000Z 2026-11-23T00:00:00.250Z'])
      const [run] = await runsOf(database.db, 'test.fires')
      expect(run).toMatchObject({
        period_key: '2026-11-23T00:00:00.000Z',
        org_id: null,
        trigger: 'schedule',
        outcome: 'ok',
        started_at: '2026-11-23T00:00:00.250Z',
        finished_at: '2026-11-23T00:00:00.250Z',
        error: null,
      })
      expect(run?.duration_ms).toBeGreaterThanOrEqual(0)
    })

    it('records a second run for the same period as skipped, without running the job again', async () => {
      let effects = 0
      const job: ScheduledJob = {
        name: 'test.twice',
        schedule: { cron: '0 0 * * *', timezone: 'organisation' },
        run: async () => {
          effects++
        },
      }
      const { deps } = setup(job)
      const at = new Date('2026-11-23T10:00:00Z')
      const first = await runJobByHand(deps, job, at)
      const second = await runJobByHand(deps, job, at)
      expect(first.map((r) => r.result.outcome)).toEqual(['ok', 'ok'])
      expect(second.map((r) => r.result.outcome)).toEqual(['skipped', 'skipped'])
      expect(second[0]?.result.heldBy).toEqual({ id: first[0]?.result.runId, outcome: 'ok' })
      expect(effects).toBe(2)
      // Each organisation's day started at its own midnight: 23:00 UTC in Paris, 05:00 UTC in New York.
      expect(await outcomes('test.twice')).toEqual([
        ['2026-11-22T23:00:00.000Z', 'org-paris', 'manual', 'ok'],
        ['2026-11-22T23:00:00.000Z', 'org-paris', 'manual', 'skipped'],
        ['2026-11-23T05:00:00.000Z', 'org-ny', 'manual', 'ok'],
        ['2026-11-23T05:00:00.000Z', 'org-ny', 'manual', 'skipped'],
      ])
    })

    it('records a failing job as failed with its error, keeps running, and lets a retry succeed', async () => {
      let attempts = 0
      const { clock, runner } = setup({
        name: 'test.flaky',
        schedule: { cron: '*/5 * * * *' },
        retries: 1,
        run: async () => {
          attempts++
          if (attempts === 1) throw new Error('the mail server is down')
        },
      })
      await runner.start()
      try {
        clock.set('2026-11-22T12:05:00Z')
        await runner.tick()
        await runner.idle()
        // The retry waits a few milliseconds (retryDelayMs), then runs for the same period.
        await new Promise((resolve) => setTimeout(resolve, 50))
        await runner.idle()
      } finally {
        await runner.stop()
      }
      const runs = await runsOf(database.db, 'test.flaky')
      runs.sort((a, b) => a.outcome.localeCompare(b.outcome))
      expect(runs.map((r) => [r.period_key, r.outcome, r.error])).toEqual([
        ['2026-11-22T12:05:00.000Z', 'failed', 'the mail server is down'],
        ['2026-11-22T12:05:00.000Z', 'ok', null],
      ])
    })

    it('runs a period once when two nodes start it at the same moment', async () => {
      let effects = 0
      const job: ScheduledJob = {
        name: 'test.race',
        schedule: { cron: '0 * * * *' },
        run: async () => {
          effects++
          await new Promise((resolve) => setTimeout(resolve, 20))
        },
      }
      const node = (name: string) => ({ ...setup(job).deps, logger: silent.child({ node: name }) })
      const occurrence = {
        period: '2026-11-22T12:00:00.000Z',
        scheduledAt: new Date('2026-11-22T12:00:00Z'),
        orgId: null,
        timezone: 'UTC',
      }
      const results = await Promise.all([
        executeJob(node('a'), job, occurrence, 'schedule'),
        executeJob(node('b'), job, occurrence, 'schedule'),
      ])
      expect(results.map((r) => r.outcome).sort()).toEqual(['ok', 'skipped'])
      expect(effects).toBe(1)
    })

    it('takes over a period whose run was abandoned by a process that died, and times out a stuck run', async () => {
      const job: ScheduledJob = {
        name: 'test.stuck',
        schedule: { cron: '0 * * * *' },
        timeoutMs: 30,
        run: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)),
      }
      const { deps, clock } = setup(job)
      const occurrence = {
        period: '2026-11-22T12:00:00.000Z',
        scheduledAt: new Date('2026-11-22T12:00:00Z'),
        orgId: null,
        timezone: 'UTC',
      }
      await database.db
        .insertInto('job_runs')
        .values({
          id: 'dead-run',
          job_name: 'test.stuck',
          period_key: occurrence.period,
          org_id: null,
          trigger: 'schedule',
          outcome: 'running',
          started_at: '2026-11-22T12:00:00.000Z',
          finished_at: null,
          duration_ms: null,
          error: null,
        })
        .execute()
      clock.set('2026-11-22T12:00:30Z')
      expect((await executeJob(deps, job, occurrence, 'schedule')).outcome).toBe('skipped')
      clock.set('2026-11-22T12:02:00Z')
      const result = await executeJob(deps, job, occurrence, 'schedule')
      expect(result).toMatchObject({ outcome: 'failed', error: 'timed out after 30 ms' })
      expect(await outcomes('test.stuck')).toEqual([
        ['2026-11-22T12:00:00.000Z', null, 'schedule', 'failed'],
        ['2026-11-22T12:00:00.000Z', null, 'schedule', 'failed'],
        ['2026-11-22T12:00:00.000Z', null, 'schedule', 'skipped'],
      ])
      const dead = await database.db
        .selectFrom('job_runs')
        .select('error')
        .where('id', '=', 'dead-run')
        .executeTakeFirst()
      expect(dead?.error).toMatch(/^abandoned/)
    })

    it('runs a queued job with its payload once per key, and refuses a payload that does not fit', async () => {
      const received: string[] = []
      const job: QueuedJob<{ email: string }> = {
        name: 'test.send-mail',
        payload: z.object({ email: z.email() }),
        run: async (ctx) => {
          received.push(`${ctx.payload.email} ${ctx.orgId}`)
        },
      }
      const { runner } = setup(job as QueuedJob)
      await expect(runner.enqueue('test.send-mail', { email: 'a@example.org' })).rejects.toThrow(
        /jobs do not run in this process/,
      )
      await runner.start()
      try {
        await runner.enqueue('test.send-mail', { email: 'a@example.org' }, { key: 'k1', orgId: 'org-paris' })
        await runner.enqueue('test.send-mail', { email: 'a@example.org' }, { key: 'k1', orgId: 'org-paris' })
        await runner.idle()
        await expect(runner.enqueue('test.send-mail', { email: 'not an address' })).rejects.toThrow()
        await expect(runner.enqueue('test.nope', {})).rejects.toThrow('no queued job named test.nope')
      } finally {
        await runner.stop()
      }
      expect(received).toEqual(['a@example.org org-paris'])
      expect((await outcomes('test.send-mail')).map((r) => r[3])).toEqual(['ok', 'skipped'])
    })

    it.runIf(dialect === 'sqlite')(
      'gives SQLite planner statistics for the tables that grew, once an hour',
      async () => {
        const job = optimizeStatisticsJob(database.db)
        const { deps } = setup()
        for (const org of ORGS) {
          const students = Array.from({ length: 150 }, (_, i) => ({
            id: `${org.id}-stat-${i}`,
            name: `Student ${i}`,
          }))
          await insertStudents(database.db, org.id, students)
        }
        const [run] = await runJobByHand(deps, job, new Date('2026-11-22T12:50:00Z'))
        expect(run?.occurrence.period).toBe('2026-11-22T12:41:00.000Z')
        expect(run?.result.outcome).toBe('ok')
        const { rows } = await sql<{
          idx: string
        }>`select idx from sqlite_stat1 where tbl = 'lms_student'`.execute(database.db)
        expect(rows.map((r) => r.idx)).toContain('lms_student_org_id')
        const [again] = await runJobByHand(deps, job, new Date('2026-11-22T12:55:00Z'))
        expect(again?.result.outcome).toBe('skipped')
      },
    )

    it('forgets job runs older than 90 days before the period, once per period', async () => {
      const prune = pruneJobRunsJob(database.db)
      const { deps } = setup()
      const old = {
        job_name: 'test.old',
        org_id: null,
        trigger: 'schedule' as const,
        outcome: 'ok' as const,
        finished_at: null,
        duration_ms: 1,
        error: null,
      }
      await database.db
        .insertInto('job_runs')
        .values([
          { ...old, id: 'old-1', period_key: 'a', started_at: '2026-08-01T00:00:00.000Z' },
          { ...old, id: 'old-2', period_key: 'b', started_at: '2026-10-01T00:00:00.000Z' },
        ])
        .execute()
      const [run] = await runJobByHand(deps, prune, new Date('2026-11-22T12:00:00Z'))
      expect(run?.occurrence.period).toBe('2026-11-22T03:17:00.000Z')
      expect(run?.result.outcome).toBe('ok')
      expect(await outcomes('test.old')).toEqual([['b', null, 'schedule', 'ok']])
    })
  })
}
