import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase, testDialects } from '../../../test/helpers/databases.ts'
import { fixedClock } from '../clock.ts'
import type { JobRunner, QueuedJob, ScheduledJob } from './job.ts'
import { createPgBossRunner, messageId } from './pg-boss-runner.ts'
import { createJobRegistry } from './registry.ts'
import { runsOf } from './repository.ts'

// Several nodes on one PostgreSQL database: each runs the scheduler and a pg-boss worker. Workers poll
// every half second here; every wait below is bounded.

const silent = pino({ level: 'silent' })
const WAIT_MS = 15_000

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe.skipIf(!testDialects().includes('postgres'))('jobs through pg-boss on PostgreSQL', () => {
  let database: TestDatabase
  const clock = fixedClock('2026-11-22T11:59:30Z')
  const runners: JobRunner[] = []
  const effects: string[] = []
  let flakyAttempts = 0

  const hourly: ScheduledJob = {
    name: 'test.hourly',
    schedule: { cron: '0 * * * *' },
    run: async (ctx) => {
      effects.push(`hourly ${ctx.period}`)
    },
  }
  const flaky: ScheduledJob = {
    name: 'test.flaky',
    schedule: { cron: '30 * * * *' },
    run: async () => {
      flakyAttempts++
      if (flakyAttempts === 1) throw new Error('first try fails')
    },
  }
  const mail: QueuedJob<{ to: string }> = {
    name: 'test.mail',
    payload: z.object({ to: z.string() }),
    run: async (ctx) => {
      effects.push(`mail ${ctx.payload.to}`)
    },
  }

  /** One node: its own registry (same jobs), its own pg-boss, the shared database and clock. */
  async function startNode(): Promise<JobRunner> {
    const registry = createJobRegistry(async () => [])
    registry.register(hourly, flaky, mail as QueuedJob)
    const runner = await createPgBossRunner({
      registry,
      db: database.db,
      clock,
      logger: silent,
      connectionString: database.url,
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
    })
    await runner.start()
    runners.push(runner)
    return runner
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
  })
  afterAll(async () => {
    for (const runner of runners) await runner.stop()
    await database?.drop()
  })

  it('gives the same job id to the same period, and different ones otherwise', () => {
    const id = messageId('a.job', '2026-11-22T12:00:00.000Z', null)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(messageId('a.job', '2026-11-22T12:00:00.000Z', null)).toBe(id)
    expect(messageId('a.job', '2026-11-22T12:00:00.000Z', 'org-1')).not.toBe(id)
    expect(messageId('a.job', '2026-11-22T13:00:00.000Z', null)).not.toBe(id)
  })

  it('runs a scheduled period once when two nodes both find it due', async () => {
    const [a, b] = [await startNode(), await startNode()]
    clock.set('2026-11-22T12:00:00Z')
    await Promise.all([a!.tick(), b!.tick()])
    await eventually(
      async () => (await runsOf(database.db, 'test.hourly')).some((r) => r.outcome === 'ok'),
      'the hourly run',
    )
    // Give the other node's worker a few polls to pick up a second copy, if there were one.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(effects).toEqual(['hourly 2026-11-22T12:00:00.000Z'])
    const runs = await runsOf(database.db, 'test.hourly')
    expect(runs.map((r) => [r.period_key, r.trigger, r.outcome])).toEqual([
      ['2026-11-22T12:00:00.000Z', 'schedule', 'ok'],
    ])
  })

  it('records a failed run and lets pg-boss try the period again', async () => {
    clock.set('2026-11-22T12:30:00Z')
    await Promise.all(runners.map((runner) => runner.tick()))
    await eventually(
      async () => (await runsOf(database.db, 'test.flaky')).some((r) => r.outcome === 'ok'),
      'the retried flaky run',
    )
    // Both runs started at the same instant of the fixed clock: sorted by outcome.
    const runs = (await runsOf(database.db, 'test.flaky')).sort((x, y) => x.outcome.localeCompare(y.outcome))
    expect(runs.map((r) => [r.period_key, r.outcome, r.error])).toEqual([
      ['2026-11-22T12:30:00.000Z', 'failed', 'first try fails'],
      ['2026-11-22T12:30:00.000Z', 'ok', null],
    ])
  })

  it('runs a queued job once per key, whichever node enqueued it', async () => {
    const [a, b] = runners
    await a!.enqueue('test.mail', { to: 'lea@example.org' }, { key: 'welcome-lea' })
    await b!.enqueue('test.mail', { to: 'lea@example.org' }, { key: 'welcome-lea' })
    await a!.enqueue('test.mail', { to: 'hugo@example.org' })
    await eventually(
      async () => (await runsOf(database.db, 'test.mail')).filter((r) => r.outcome === 'ok').length === 2,
      'both mails',
    )
    expect(effects.filter((e) => e.startsWith('mail')).sort()).toEqual([
      'mail hugo@example.org',
      'mail lea@example.org',
    ])
  })
})
