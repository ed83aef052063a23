import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { freePort, killChildren, startServer } from '../../../test/helpers/processes.ts'
import { openPostgres, openSqlite } from '../../core/db/connect-node.ts'
import { migrateToLatest } from '../../core/db/migrate.ts'
import { updateSettings } from '../gamification/index.ts'
import { profilesOfUser } from '../identity/index.ts'

// What the ingest path promises about event ids and the hearts gate, whatever the timing of requests.

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

describe.each(testDialects())('event ids and the hearts gate on %s', (dialect) => {
  let t: TestApp

  beforeAll(async () => {
    t = await startTestApp(dialect)
  })
  afterAll(() => t.close())

  /** A school with 3 hearts (one back every 4 hours) and a student enrolled in a reading, a quiz, a video. */
  async function school(app = t) {
    const orgId = (await createOrg(app)).id
    await updateSettings(app.gamification, orgId, { hearts: { max_hearts: 3, regen_interval_minutes: 240 } })
    const author = await signedInMember(app, orgId, 'instructor')
    const student = await signedInMember(app, orgId, 'student')
    const studentId = (await profilesOfUser(app.identity, orgId, student.userId)).studentId as string
    const course = (await author.client.post('/api/lms/courses', { name: 'Path', student_ids: [studentId] }))
      .body
    const add = async (step: object) =>
      (await author.client.post('/api/lms/classes', { course_id: course.id, ...step })).body.id as string
    const steps = {
      reading: await add({ name: 'Read', step_type: 'reading', content_md: 'Text' }),
      quiz: await add({ name: 'Quiz', step_type: 'quiz', quiz }),
      video: await add({
        name: 'Video',
        step_type: 'video',
        video: { source: 'url', url: 'https://v.example/a.mp4', duration_sec: 600 },
      }),
    }
    expect((await author.client.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
    return { orgId, studentId, client: student.client, steps }
  }

  const storedIds = async (id: string) =>
    t.database.db.selectFrom('lms_event').select(['org_id', 'type']).where('id', '=', id).execute()

  const quizAttempts = async (studentId: string, app = t) =>
    (
      await app.database.db
        .selectFrom('lms_event')
        .select('id')
        .where('student_id', '=', studentId)
        .where('type', '=', 'QUIZ_SUBMIT')
        .execute()
    ).length

  /** Reads the step, then answers the quiz; the student is at the quiz step. */
  async function atQuiz(s: Awaited<ReturnType<typeof school>>) {
    expect((await s.client.post('/api/step-ack', { class_id: s.steps.reading })).status).toBe(200)
  }

  it('refuses a batch that carries two different events under one id, and stores none of it', async () => {
    const s = await school()
    await atQuiz(s)
    const p = await s.client.post('/api/quiz-submission', { class_id: s.steps.quiz, answers: { q1: 'a' } })
    expect(p.body.passed).toBe(true)
    const id = crypto.randomUUID()
    const other = crypto.randomUUID()
    const res = await s.client.post('/api/video-event', {
      events: [
        { event_id: other, class_id: s.steps.video, position: 0 },
        { event_id: id, class_id: s.steps.video, position: 0 },
        { event_id: id, class_id: s.steps.video, position: 30 },
      ],
    })
    expect(res.status).toBe(409)
    expect(res.body.error).toMatchObject({ code: 'event_conflict', details: { event_id: id } })
    expect(await storedIds(id)).toEqual([])
    expect(await storedIds(other)).toEqual([])
  })

  it('answers an identical repeat within a batch as a duplicate, stored once', async () => {
    const s = await school()
    await atQuiz(s)
    await s.client.post('/api/quiz-submission', { class_id: s.steps.quiz, answers: { q1: 'a' } })
    const id = crypto.randomUUID()
    const ping = { event_id: id, class_id: s.steps.video, position: 0 }
    const res = await s.client.post('/api/video-event', { events: [ping, ping] })
    expect(res.status).toBe(200)
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'duplicate'])
    expect(await storedIds(id)).toHaveLength(1)
  })

  it("stores an event whose id another school already used, and says nothing of the other school's", async () => {
    const a = await school()
    const b = await school()
    await atQuiz(a)
    await atQuiz(b)
    const quizId = crypto.randomUUID()
    const first = await a.client.post('/api/quiz-submission', {
      event_id: quizId,
      class_id: a.steps.quiz,
      answers: { q1: 'a' },
    })
    expect(first.status).toBe(200)
    const second = await b.client.post('/api/quiz-submission', {
      event_id: quizId,
      class_id: b.steps.quiz,
      answers: WRONG,
    })
    expect(second.status, JSON.stringify(second.body)).toBe(200)
    expect(second.body).toMatchObject({ event_id: quizId, passed: false, attempts: 1 })
    const pingId = crypto.randomUUID()
    const pingA = await a.client.post('/api/video-event', {
      event_id: pingId,
      class_id: a.steps.video,
      position: 0,
    })
    expect(pingA.body.results[0].status).toBe('accepted')
    await b.client.post('/api/quiz-submission', { class_id: b.steps.quiz, answers: { q1: 'a' } })
    const pingB = await b.client.post('/api/video-event', {
      event_id: pingId,
      class_id: b.steps.video,
      position: 12,
    })
    expect(pingB.status, JSON.stringify(pingB.body)).toBe(200)
    expect(pingB.body.results[0].status).toBe('accepted')
    expect((await storedIds(quizId)).map((e) => e.org_id).sort()).toEqual([a.orgId, b.orgId].sort())
    expect((await storedIds(pingId)).map((e) => e.org_id).sort()).toEqual([a.orgId, b.orgId].sort())
    // Within one school the id still names one fact.
    const again = await b.client.post('/api/video-event', {
      event_id: pingId,
      class_id: b.steps.video,
      position: 13,
    })
    expect(again.status).toBe(409)
  })

  it('answers a resent reading acknowledgement with its stored outcome after the step closed', async () => {
    const s = await school()
    const id = crypto.randomUUID()
    const first = await s.client.post('/api/step-ack', { event_id: id, class_id: s.steps.reading })
    expect(first.body).toMatchObject({ class_id: s.steps.reading, step_completed: true })
    const resent = await s.client.post('/api/step-ack', { event_id: id, class_id: s.steps.reading })
    expect(resent.status, JSON.stringify(resent.body)).toBe(200)
    expect(resent.body).toEqual(first.body)
    const fresh = await s.client.post('/api/step-ack', { class_id: s.steps.reading })
    expect(fresh.body.error.code).toBe('step_closed')
    const reused = await s.client.post('/api/step-ack', { event_id: id, class_id: s.steps.quiz })
    expect(reused.status).toBe(409)
    expect(reused.body.error.code).toBe('event_conflict')
    expect(await storedIds(id)).toHaveLength(1)
  })

  /** Sends failed attempts all at once, through the clients given (one per node), and sorts the answers. */
  async function failTogether(clients: TestClient[], classId: string, count: number) {
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        (clients[i % clients.length] as TestClient).post('/api/quiz-submission', {
          class_id: classId,
          answers: WRONG,
        }),
      ),
    )
    return {
      accepted: answers.filter((a) => a.status === 200),
      refused: answers.filter((a) => a.status === 409 && a.body.error.code === 'no_hearts'),
      other: answers.filter((a) => a.status !== 200 && a.body.error?.code !== 'no_hearts'),
    }
  }

  it('accepts no more failed attempts at once than the hearts left', async () => {
    const s = await school()
    await atQuiz(s)
    for (let i = 0; i < 2; i++) {
      expect((await failTogether([s.client], s.steps.quiz, 1)).accepted).toHaveLength(1)
    }
    const { accepted, refused, other } = await failTogether([s.client], s.steps.quiz, 6)
    expect(other.map((o) => o.body)).toEqual([])
    expect(accepted).toHaveLength(1)
    expect(refused).toHaveLength(5)
    expect(await quizAttempts(s.studentId)).toBe(3)
    const after = await s.client.post('/api/quiz-submission', { class_id: s.steps.quiz, answers: WRONG })
    expect(after.body.error.code).toBe('no_hearts')
  })

  it('counts against the hearts only the attempts failed while hearts were on', async () => {
    const s = await school()
    await updateSettings(t.gamification, s.orgId, { hearts: { enabled: false } })
    await atQuiz(s)
    for (let i = 0; i < 3; i++) {
      expect((await failTogether([s.client], s.steps.quiz, 1)).accepted).toHaveLength(1)
    }
    await updateSettings(t.gamification, s.orgId, { hearts: { enabled: true } })
    const first = await s.client.post('/api/quiz-submission', { class_id: s.steps.quiz, answers: WRONG })
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect(first.body.hearts).toMatchObject({ hearts: 2, max_hearts: 3 })
  })

  it.runIf(dialect === 'postgres')(
    'accepts no more failed attempts than the hearts left across two nodes on one database',
    async () => {
      const handle = openPostgres(t.database.url, { max: 5 })
      const second = await startTestApp('postgres', {
        database: { ...handle, url: t.database.url, drop: handle.close },
      })
      try {
        const s = await school()
        await atQuiz(s)
        const onSecond = new TestClient(second.url)
        for (const [name, value] of s.client.cookies) onSecond.cookies.set(name, value)
        expect((await failTogether([onSecond], s.steps.quiz, 1)).accepted).toHaveLength(1)
        const { accepted, refused, other } = await failTogether([s.client, onSecond], s.steps.quiz, 8)
        expect(other.map((o) => o.body)).toEqual([])
        expect(accepted).toHaveLength(2)
        expect(refused).toHaveLength(6)
        expect(await quizAttempts(s.studentId)).toBe(3)
      } finally {
        await second.close()
      }
    },
  )

  it.runIf(dialect === 'sqlite')(
    'accepts no more failed attempts than the hearts left across two processes sharing the SQLite file',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'sillon-two-nodes-'))
      const file = join(dataDir, 'sillon.db')
      const handle = openSqlite(file)
      await migrateToLatest(handle.db)
      const first = await startTestApp('sqlite', { database: { ...handle, url: file, drop: handle.close } })
      // The other process runs on the real clock: this one follows it, so both judge hearts at one time.
      first.clock.set(new Date().toISOString())
      try {
        const other = await startServer({
          DATA_DIR: dataDir,
          PORT: String(await freePort()),
          // The test app's secret: a session opened on one node is valid on the other.
          SESSION_SECRET: 'test-secret-that-is-long-enough-for-better-auth',
          SEED_DEMO: 'false',
        })
        const s = await school(first)
        await atQuiz(s)
        const onOther = new TestClient(other.url)
        for (const [name, value] of s.client.cookies) onOther.cookies.set(name, value)
        for (let i = 0; i < 2; i++) {
          expect((await failTogether([onOther], s.steps.quiz, 1)).accepted).toHaveLength(1)
        }
        const {
          accepted,
          refused,
          other: unexpected,
        } = await failTogether([s.client, onOther], s.steps.quiz, 6)
        expect(unexpected.map((o) => o.body)).toEqual([])
        expect(accepted).toHaveLength(1)
        expect(refused).toHaveLength(5)
        expect(await quizAttempts(s.studentId, first)).toBe(3)
      } finally {
        await killChildren()
        await first.close()
        rmSync(dataDir, { recursive: true, force: true })
      }
    },
  )
})
