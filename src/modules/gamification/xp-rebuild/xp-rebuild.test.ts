import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.ts'
import { testDialects } from '../../../../test/helpers/databases.ts'
import { createOrg, createStudent, signedInMember } from '../../../../test/helpers/factories.ts'
import { typicalPayload } from '../../../../test/helpers/signals.ts'
import { appendSignals, type NewSignal } from '../../../core/events/signal-log.ts'
import type { EnqueueOptions, JobRunner } from '../../../core/jobs/job.ts'
import { createPgBossRunner } from '../../../core/jobs/pg-boss-runner.ts'
import { refreshScores } from '../repository/index.ts'
import { xpSummary } from '../service.ts'
import { REBUILD_XP_JOB, rebuildSchoolXp } from './rebuild.ts'

const PERFECT = { score: 10, max_score: 10, attempts: 1 }
const PASSED = { score: 7, max_score: 10, attempts: 1 }
// Two weeks (Paris): the entries' weeks, and so the weekly boards, are rewritten too.
const WEEK_1 = '2026-11-17T10:00:00.000Z'
const WEEK_2 = '2026-11-24T10:00:00.000Z'

describe.each(testDialects())('XP rebuild of one school on %s', (dialect) => {
  let t: TestApp
  let schoolA: string
  let schoolB: string
  let a1: string
  let a2: string
  let b1: string
  let adminA: TestClient
  const queued: { name: string; payload: unknown; options?: EnqueueOptions }[] = []
  let n = 0

  function signal(orgId: string, studentId: string, type: string, at: string, payload = {}): NewSignal {
    n += 1
    return {
      id: `${type}:${studentId}:rebuild-${n}`,
      type,
      org_id: orgId,
      student_id: studentId,
      course_id: type === 'STREAK_DAY' ? null : 'course-rebuild',
      class_id: null,
      occurred_at: at,
      source_event_ids: [],
      payload: typicalPayload(type, payload),
    }
  }

  async function emit(signals: NewSignal[]) {
    await t.database.db
      .transaction()
      .execute((trx) => appendSignals(trx, signals, t.clock.now().toISOString()))
    for (const run of await t.project()) expect(run.failed).toBeNull()
  }

  /** A student's XP from signals (badge XP apart, which a rebuild of the XP amounts leaves alone). */
  async function activityXp(orgId: string, studentId: string) {
    const badges = await t.database.db
      .selectFrom('xp_ledger')
      .select((eb) => eb.fn.sum<number | string | null>('points').as('n'))
      .where('org_id', '=', orgId)
      .where('student_id', '=', studentId)
      .where('cause', '=', 'badge')
      .executeTakeFirst()
    return (await xpSummary(t.gamification, orgId, studentId)).total - Number(badges?.n ?? 0)
  }

  /** What the boards of a school hold: scores, weekly scores, and the histograms' non-empty rows. */
  async function boards(orgId: string) {
    const db = t.database.db
    return {
      scores: await db
        .selectFrom('gamification_score')
        .select(['student_id', 'total_points', 'badges_count'])
        .where('org_id', '=', orgId)
        .orderBy('student_id')
        .execute(),
      weeks: await db
        .selectFrom('gamification_week_score')
        .select(['week', 'student_id', 'total_points'])
        .where('org_id', '=', orgId)
        .orderBy('week')
        .orderBy('student_id')
        .execute(),
      histogram: await db
        .selectFrom('gamification_score_histogram')
        .select(['board', 'total_points', 'students'])
        .where('org_id', '=', orgId)
        .where('students', '>', 0)
        .orderBy('board')
        .orderBy('total_points')
        .execute(),
    }
  }

  /** The boards hold what a recount from the ledger gives. */
  async function expectBoardsMatchLedger(orgId: string) {
    const kept = await boards(orgId)
    await refreshScores(t.database.db)
    expect(kept).toEqual(await boards(orgId))
  }

  const runOf = async (client: TestClient) => (await client.get('/api/gamification/xp-rebuild')).body.run

  beforeAll(async () => {
    t = await startTestApp(dialect)
    t.attachJobQueue({
      enqueue: async (name, payload, options) => {
        queued.push({ name, payload, options })
      },
    })
    schoolA = (await createOrg(t)).id
    schoolB = (await createOrg(t)).id
    a1 = (await createStudent(t, schoolA)).studentId
    a2 = (await createStudent(t, schoolA)).studentId
    b1 = (await createStudent(t, schoolB)).studentId
    adminA = (await signedInMember(t, schoolA, 'admin')).client
    t.clock.set('2026-11-26T12:00:00.000Z')
    await emit([
      ...[1, 2, 3].map(() => signal(schoolA, a1, 'VIDEO_COMPLETED', WEEK_1)),
      signal(schoolA, a1, 'QUIZ_PASSED', WEEK_2, PERFECT),
      signal(schoolA, a1, 'STREAK_DAY', WEEK_2, {
        day: '2026-11-24',
        active: true,
        frozen: false,
        streak_length: 1,
        freezes_held: 0,
      }),
      ...[1, 2, 3, 4].map(() => signal(schoolA, a2, 'VIDEO_COMPLETED', WEEK_2)),
      signal(schoolA, a2, 'QUIZ_PASSED', WEEK_2, PASSED),
      ...[1, 2].map(() => signal(schoolB, b1, 'VIDEO_COMPLETED', WEEK_1)),
      signal(schoolB, b1, 'QUIZ_PASSED', WEEK_2, PERFECT),
    ])
  })
  afterAll(() => t.close())

  it("pays school A's past activity at its new amounts and leaves school B's as it was", async () => {
    // 3 videos at 10, a perfect quiz at 50 + 25, a streak day at 5; 4 videos at 10 and a quiz at 50.
    expect([await activityXp(schoolA, a1), await activityXp(schoolA, a2)]).toEqual([110, 90])
    const boardOfB = await boards(schoolB)
    const settings = { xp: { video_completed: 40, quiz_passed: 20, perfect_quiz: 0 } }
    expect((await adminA.patch('/api/gamification/settings', settings)).status).toBe(200)

    const asked = await adminA.post('/api/gamification/xp-rebuild')
    expect(asked.status).toBe(202)
    expect(asked.body).toMatchObject({ started: true, run: { status: 'queued', processed: 0 } })
    expect(queued).toEqual([
      {
        name: REBUILD_XP_JOB,
        payload: { run_id: asked.body.run.id },
        options: { key: asked.body.run.id, orgId: schoolA },
      },
    ])
    expect(await rebuildSchoolXp(t.gamification, schoolA, asked.body.run.id)).toEqual({
      processed: 10,
      total: 10,
    })

    expect([await activityXp(schoolA, a1), await activityXp(schoolA, a2)]).toEqual([145, 180])
    const leaderboard = (await adminA.get('/api/leaderboard')).body
    expect(leaderboard.rows.map((r: { student_id: string }) => r.student_id)).toEqual([a2, a1])
    const week2 = (await adminA.get('/api/leaderboard?period=week')).body
    expect(week2.rows.length).toBeGreaterThan(0)
    expect(await runOf(adminA)).toMatchObject({
      id: asked.body.run.id,
      status: 'done',
      processed: 10,
      total: 10,
      error: null,
    })
    expect((await runOf(adminA)).finished_at).not.toBeNull()
    expect(await activityXp(schoolB, b1)).toBe(95)
    expect(await boards(schoolB)).toEqual(boardOfB)
    await expectBoardsMatchLedger(schoolA)
  })

  it('counts a signal appended while the rebuild runs exactly once, and starts no second run meanwhile', async () => {
    expect((await adminA.patch('/api/gamification/settings', { xp: { video_completed: 60 } })).status).toBe(
      200,
    )
    queued.length = 0
    const asked = await adminA.post('/api/gamification/xp-rebuild')
    expect(asked.status).toBe(202)
    let during: { status: number; body: { started: boolean; run: { id: string; status: string } } } | null =
      null
    const result = await rebuildSchoolXp(t.gamification, schoolA, asked.body.run.id, {
      batchSize: 1,
      onProgress: async ({ processed }) => {
        if (processed !== 2) return
        during = await adminA.post('/api/gamification/xp-rebuild')
        await emit([signal(schoolA, a1, 'VIDEO_COMPLETED', WEEK_2)])
      },
    })
    // The run rewrote what the reactor had applied when it started; the reactor paid the new video.
    expect(result).toEqual({ processed: 10, total: 10 })
    expect(during).toMatchObject({
      status: 200,
      body: { started: false, run: { id: asked.body.run.id, status: 'running' } },
    })
    expect(queued).toHaveLength(1)
    // 3 videos + the new one at 60, the quiz at 20, the perfect bonus at 0, the streak day at 5.
    expect(await activityXp(schoolA, a1)).toBe(4 * 60 + 20 + 5)
    expect(await activityXp(schoolA, a2)).toBe(4 * 60 + 20)
    await expectBoardsMatchLedger(schoolA)
  })

  it('resumes a failed run where it stopped, to the same result as one run', async () => {
    expect(
      (await adminA.patch('/api/gamification/settings', { xp: { video_completed: 15, perfect_quiz: 30 } }))
        .status,
    ).toBe(200)
    const asked = await adminA.post('/api/gamification/xp-rebuild')
    const stop = new AbortController()
    const failed = rebuildSchoolXp(t.gamification, schoolA, asked.body.run.id, {
      batchSize: 2,
      abort: stop.signal,
      onProgress: ({ processed }) => {
        if (processed >= 4) stop.abort(new Error('timed out'))
      },
    })
    await expect(failed).rejects.toThrow('timed out')
    expect(await runOf(adminA)).toMatchObject({ status: 'failed', processed: 4, error: 'timed out' })

    expect(await rebuildSchoolXp(t.gamification, schoolA, asked.body.run.id)).toEqual({
      processed: 11,
      total: 11,
    })
    expect(await runOf(adminA)).toMatchObject({ status: 'done', processed: 11, error: null })
    // Again: a retry of a run already done changes nothing.
    await rebuildSchoolXp(t.gamification, schoolA, asked.body.run.id)
    expect(await activityXp(schoolA, a1)).toBe(4 * 15 + 20 + 30 + 5)
    expect(await activityXp(schoolA, a2)).toBe(4 * 15 + 20)
    expect(await activityXp(schoolB, b1)).toBe(95)
    await expectBoardsMatchLedger(schoolA)
  })

  it("lets only the school's owners and admins see and start its rebuilds", async () => {
    const latest = await runOf(adminA)
    for (const role of ['instructor', 'student', 'support'] as const) {
      const { client } = await signedInMember(t, schoolA, role)
      expect((await client.get('/api/gamification/xp-rebuild')).status).toBe(403)
      expect((await client.post('/api/gamification/xp-rebuild')).status).toBe(403)
    }
    expect((await t.client().get('/api/gamification/xp-rebuild')).status).toBe(401)
    const owner = (await signedInMember(t, schoolA, 'owner')).client
    expect((await runOf(owner)).id).toBe(latest.id)
    // Another school's admin sees none of A's runs.
    const adminB = (await signedInMember(t, schoolB, 'admin')).client
    expect(await runOf(adminB)).toBeNull()
  })

  it('answers 503 and records the run as failed when no background job runs here', async () => {
    t.attachJobQueue({
      enqueue: async () => {
        throw new Error('cannot enqueue: jobs do not run in this process (JOBS_ENABLED)')
      },
    })
    const res = await adminA.post('/api/gamification/xp-rebuild')
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('jobs_unavailable')
    expect(await runOf(adminA)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('JOBS_ENABLED'),
    })
  })
})

describe.skipIf(!testDialects().includes('postgres'))('XP rebuild through pg-boss on PostgreSQL', () => {
  let t: TestApp
  let runner: JobRunner

  beforeAll(async () => {
    t = await startTestApp('postgres')
    runner = await createPgBossRunner({
      registry: t.jobs,
      db: t.database.db,
      clock: t.clock,
      logger: pino({ level: 'silent' }),
      connectionString: t.database.url as string,
      pollingIntervalSeconds: 0.5,
    })
    await runner.start()
    t.attachJobQueue(runner)
  })
  afterAll(async () => {
    await runner?.stop()
    await t?.close()
  })

  it('queues the run on pg-boss, whose worker takes it to done', async () => {
    const orgId = (await createOrg(t)).id
    const studentId = (await createStudent(t, orgId)).studentId
    await t.database.db.transaction().execute((trx) =>
      appendSignals(
        trx,
        [1, 2].map((k) => ({
          id: `VIDEO_COMPLETED:${studentId}:boss-${k}`,
          type: 'VIDEO_COMPLETED',
          org_id: orgId,
          student_id: studentId,
          course_id: 'course-boss',
          class_id: null,
          occurred_at: WEEK_1,
          source_event_ids: [],
          payload: typicalPayload('VIDEO_COMPLETED'),
        })),
        t.clock.now().toISOString(),
      ),
    )
    for (const run of await t.project()) expect(run.failed).toBeNull()
    const admin = (await signedInMember(t, orgId, 'admin')).client
    expect((await admin.patch('/api/gamification/settings', { xp: { video_completed: 35 } })).status).toBe(
      200,
    )
    const asked = await admin.post('/api/gamification/xp-rebuild')
    expect(asked.status).toBe(202)
    await expect
      .poll(async () => (await admin.get('/api/gamification/xp-rebuild')).body.run.status, {
        timeout: 15_000,
      })
      .toBe('done')
    expect((await admin.get('/api/leaderboard')).body.rows[0]).toMatchObject({
      student_id: studentId,
      total_points: 70 + 10, // two videos at 35, and the badge "Première vidéo"
    })
  })
})
