import { createHmac } from 'node:crypto'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { runJobByHand } from '../../core/jobs/commands.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import { profilesOfUser } from '../identity/index.ts'
import { trackingEvents } from '../tracking/index.ts'
import { heartsOf, studentsOutOfHearts, updateSettings } from './index.ts'
import { regenerateHearts } from './jobs/regenerate-hearts.ts'
import { heartsReactor } from './projections/hearts.ts'

const silent = pino({ level: 'silent' })
const TALLY_SECRET = 'tally-signing-secret'

const quiz = {
  questions: [
    {
      id: 'q1',
      type: 'single_choice',
      prompt: 'Red planet?',
      choices: [
        { id: 'a', text: 'Mars' },
        { id: 'b', text: 'Venus' },
      ],
      answer: 'a',
    },
  ],
}
const WRONG = { q1: 'b' }

describe.each(testDialects())('hearts on %s', (dialect) => {
  let t: TestApp

  beforeAll(async () => {
    t = await startTestApp(dialect)
  })
  afterAll(() => t.close())

  /**
   * A school (3 hearts, one back per hour unless `hearts` says otherwise) and an enrolled, signed-in
   * student with three one-step paths: a native quiz, a Tally quiz, a video.
   */
  async function school(hearts: { enabled?: boolean } = {}) {
    const orgId = (await createOrg(t)).id
    await updateSettings(t.gamification, orgId, {
      hearts: { max_hearts: 3, regen_interval_minutes: 60, ...hearts },
    })
    const author = await signedInMember(t, orgId, 'instructor')
    const student = await signedInMember(t, orgId, 'student')
    const studentId = (await profilesOfUser(t.identity, orgId, student.userId)).studentId as string
    const formId = `form-${crypto.randomUUID().slice(0, 8)}`
    const path = async (step: object) => {
      const course = (
        await author.client.post('/api/lms/courses', { name: 'Path', student_ids: [studentId] })
      ).body
      const res = await author.client.post('/api/lms/classes', { course_id: course.id, ...step })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      expect((await author.client.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
      return res.body.id as string
    }
    const steps = {
      quiz: await path({ name: 'Quiz', step_type: 'quiz', quiz }),
      tally: await path({
        name: 'Tally quiz',
        step_type: 'quiz',
        quiz: { tally: { form_id: formId, max_score: 10, signing_secret: TALLY_SECRET } },
      }),
      video: await path({
        name: 'Video',
        step_type: 'video',
        video: { source: 'url', url: 'https://v.example/a.mp4', duration_sec: 600 },
      }),
    }
    return { orgId, studentId, client: student.client, steps, formId }
  }

  type School = Awaited<ReturnType<typeof school>>

  const submit = (s: School, answers: object, eventId?: string) =>
    s.client.post('/api/quiz-submission', {
      class_id: s.steps.quiz,
      answers,
      ...(eventId ? { event_id: eventId } : {}),
    })

  /** A failing Tally response (2/10) for the student, signed as Tally signs it. */
  async function failInTally(s: School) {
    const signedStudent = `${s.studentId}.${createHmac('sha256', TALLY_SECRET).update(`sillon-tally:${s.studentId}:${s.steps.tally}`).digest('base64url')}`
    const raw = JSON.stringify({
      eventId: crypto.randomUUID(),
      eventType: 'FORM_RESPONSE',
      createdAt: t.clock.now().toISOString(),
      data: {
        formId: s.formId,
        fields: [
          { key: 'question_mV', label: 'student_id', type: 'HIDDEN_FIELDS', value: signedStudent },
          { key: 'question_nP', label: 'class_id', type: 'HIDDEN_FIELDS', value: s.steps.tally },
          { key: 'question_w4', label: 'score', type: 'CALCULATED_FIELDS', value: 2 },
        ],
      },
    })
    const signature = createHmac('sha256', TALLY_SECRET).update(raw).digest('base64')
    return t.client({ origin: null }).post('/api/tally-hook', raw, { 'Tally-Signature': signature })
  }

  async function signalsOf(studentId: string, type: string) {
    return t.database.db
      .selectFrom('lms_signal')
      .select(['id', 'occurred_at', 'payload_json'])
      .where('student_id', '=', studentId)
      .where('type', '=', type)
      .orderBy('seq')
      .execute()
  }

  const storedHearts = (studentId: string) =>
    t.database.db
      .selectFrom('hearts')
      .select(['hearts', 'max_hearts', 'refill_anchor_at', 'updated_at'])
      .where('student_id', '=', studentId)
      .executeTakeFirst()

  const quizEvents = async (studentId: string) =>
    (
      await t.database.db
        .selectFrom('lms_event')
        .select('id')
        .where('student_id', '=', studentId)
        .where('type', '=', 'QUIZ_SUBMIT')
        .execute()
    ).length

  function runRefillJob(at: string) {
    t.clock.set(at)
    const job = t.jobs.find('gamification.regenerate-hearts') as ScheduledJob
    return runJobByHand(
      { db: t.database.db, clock: t.clock, logger: silent, registry: t.jobs },
      job,
      new Date(at),
    )
  }

  it('costs a heart per failed attempt, then refuses the quiz until one comes back, videos still play', async () => {
    t.clock.set('2026-11-22T09:00:00.000Z')
    const s = await school()
    const first = await submit(s, WRONG)
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect(first.body.hearts).toEqual({ hearts: 2, max_hearts: 3, next_heart_at: '2026-11-22T10:00:00.000Z' })
    t.clock.set('2026-11-22T09:10:00.000Z')
    expect((await submit(s, WRONG)).body.hearts.hearts).toBe(1)
    const last = await submit(s, WRONG, 'attempt-three-0001')
    expect(last.body.hearts).toEqual({ hearts: 0, max_hearts: 3, next_heart_at: '2026-11-22T10:00:00.000Z' })

    const refused = await submit(s, { q1: 'a' })
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatchObject({
      code: 'no_hearts',
      details: { next_heart_at: '2026-11-22T10:00:00.000Z' },
    })
    expect(refused.body.error.message).toMatch(/hearts/)
    expect(await quizEvents(s.studentId)).toBe(3)
    // A resent attempt is answered as it was the first time, not refused.
    const resent = await submit(s, WRONG, 'attempt-three-0001')
    expect(resent.status).toBe(200)
    expect(resent.body).toMatchObject({ event_id: 'attempt-three-0001', passed: false, attempts: 3 })
    expect(await quizEvents(s.studentId)).toBe(3)

    const ping = await s.client.post('/api/video-event', { class_id: s.steps.video, position: 0 })
    expect(ping.status).toBe(200)
    expect(ping.body.results[0].status).toBe('accepted')

    const attempts = await signalsOf(s.studentId, 'QUIZ_ATTEMPTED')
    const lost = await signalsOf(s.studentId, 'HEART_LOST')
    expect(lost.map((l) => l.id)).toEqual(attempts.map((a) => `HEART_LOST:${a.id}`))
    expect(JSON.parse(lost[2]?.payload_json ?? '{}')).toEqual({
      hearts_after: 0,
      next_heart_at: '2026-11-22T10:00:00.000Z',
    })
    expect(await studentsOutOfHearts(t.gamification, s.orgId)).toEqual([
      { student_id: s.studentId, next_heart_at: '2026-11-22T10:00:00.000Z' },
    ])
  })

  it('regenerates one heart per interval at every read, and the job stores it once', async () => {
    t.clock.set('2026-11-23T09:00:00.000Z')
    const s = await school()
    for (let i = 0; i < 3; i++) await submit(s, WRONG)
    expect(await heartsOf(t.gamification, s.orgId, s.studentId)).toMatchObject({
      hearts: 0,
      next_heart_at: '2026-11-23T10:00:00.000Z',
      full_at: '2026-11-23T12:00:00.000Z',
    })

    // An hour and a half later, before any job: one heart is back, and the quiz may be tried again.
    t.clock.set('2026-11-23T10:30:00.000Z')
    expect(await heartsOf(t.gamification, s.orgId, s.studentId)).toEqual({
      enabled: true,
      hearts: 1,
      max_hearts: 3,
      next_heart_at: '2026-11-23T11:00:00.000Z',
      full_at: '2026-11-23T12:00:00.000Z',
    })
    expect(await studentsOutOfHearts(t.gamification, s.orgId)).toEqual([])
    expect((await storedHearts(s.studentId))?.hearts).toBe(0)

    const runs = await runRefillJob('2026-11-23T10:30:00.000Z')
    expect(runs.map((r) => r.result.outcome)).toEqual(['ok'])
    expect(await storedHearts(s.studentId)).toEqual({
      hearts: 1,
      max_hearts: 3,
      refill_anchor_at: '2026-11-23T10:00:00.000Z',
      updated_at: '2026-11-23T10:00:00.000Z',
    })
    const refills = await signalsOf(s.studentId, 'HEART_REFILLED')
    expect(refills.map((r) => [r.id, r.occurred_at])).toEqual([
      [`HEART_REFILLED:${s.studentId}:2026-11-23T10:00:00.000Z`, '2026-11-23T10:00:00.000Z'],
    ])
    // Again for the same time, bypassing the runner's own guard: nothing new.
    expect(await regenerateHearts(t.gamification, new Date('2026-11-23T10:30:00.000Z'))).toEqual({
      refilled: 0,
    })
    expect(await signalsOf(s.studentId, 'HEART_REFILLED')).toHaveLength(1)

    // Later, full again: one more refill (the last heart's instant), and the row is full.
    await runRefillJob('2026-11-23T13:00:00.000Z')
    expect(await storedHearts(s.studentId)).toEqual({
      hearts: 3,
      max_hearts: 3,
      refill_anchor_at: null,
      updated_at: '2026-11-23T12:00:00.000Z',
    })
    expect((await signalsOf(s.studentId, 'HEART_REFILLED')).map((r) => r.occurred_at)).toEqual([
      '2026-11-23T10:00:00.000Z',
      '2026-11-23T12:00:00.000Z',
    ])
    expect(await heartsOf(t.gamification, s.orgId, s.studentId)).toMatchObject({
      hearts: 3,
      next_heart_at: null,
      full_at: null,
    })
    // A passed attempt costs nothing.
    const passed = await submit(s, { q1: 'a' })
    expect(passed.body).toMatchObject({ passed: true, hearts: { hearts: 3, next_heart_at: null } })
  })

  it('takes a heart for a failed Tally attempt, and never refuses one', async () => {
    t.clock.set('2026-11-24T09:00:00.000Z')
    const s = await school()
    const tally = await failInTally(s)
    expect(tally.body).toMatchObject({ status: 'accepted', passed: false })
    expect((await heartsOf(t.gamification, s.orgId, s.studentId)).hearts).toBe(2)
    await submit(s, WRONG)
    await submit(s, WRONG)
    expect((await heartsOf(t.gamification, s.orgId, s.studentId)).hearts).toBe(0)
    // The student already answered in Tally: the response is recorded, hearts stay at zero.
    const again = await failInTally(s)
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ status: 'accepted', passed: false })
    expect((await heartsOf(t.gamification, s.orgId, s.studentId)).hearts).toBe(0)
    expect(await signalsOf(s.studentId, 'HEART_LOST')).toHaveLength(3)
  })

  it('neither blocks nor costs anything when the school has hearts off', async () => {
    t.clock.set('2026-11-25T09:00:00.000Z')
    const s = await school({ enabled: false })
    for (let i = 0; i < 5; i++) {
      const res = await submit(s, WRONG)
      expect(res.status).toBe(200)
      expect(res.body.hearts).toBeNull()
    }
    expect(await storedHearts(s.studentId)).toBeUndefined()
    expect(await signalsOf(s.studentId, 'HEART_LOST')).toEqual([])
    expect(await studentsOutOfHearts(t.gamification, s.orgId)).toEqual([])
  })

  it('rebuilds identical rows from the signal log', async () => {
    const rows = () => t.database.db.selectFrom('hearts').selectAll().orderBy('student_id').execute()
    const before = await rows()
    expect(before.length).toBeGreaterThan(2)
    const lost = (
      await t.database.db.selectFrom('lms_signal').select('id').where('type', '=', 'HEART_LOST').execute()
    ).length
    const run = await rebuildProjection(t.database.db, trackingEvents, heartsReactor, t.clock)
    expect(run.failed).toBeNull()
    expect(await rows()).toEqual(before)
    const after = await t.database.db
      .selectFrom('lms_signal')
      .select('id')
      .where('type', '=', 'HEART_LOST')
      .execute()
    expect(after).toHaveLength(lost)
  })
})
