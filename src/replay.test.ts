import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../test/helpers/app.ts'
import { testDialects } from '../test/helpers/databases.ts'
import { completeSteps, createOrg, createStudent, signedInMember, signIn } from '../test/helpers/factories.ts'
import { rebuildProjection } from './core/events/projector.ts'
import { runJobByHand } from './core/jobs/commands.ts'
import type { ScheduledJob } from './core/jobs/job.ts'
import { trackingEvents } from './modules/tracking/index.ts'

// Two weeks of a school's life through the API (videos, quizzes right and wrong, readings, a badge an
// admin adds, nightly streak closes, heart refills), then every read model is emptied and replayed from
// the event and signal logs: progress, XP, badges, scores, streaks, hearts and mastery come back
// identical. Then an XP amount changes and a rebuild pays everyone again at the new amount.

const DAY = 86_400_000
const START = Date.parse('2026-11-16T08:00:00.000Z') // a Monday, 09:00 in Paris
const DAYS = 14
const STUDENTS = 6
const silent = pino({ level: 'silent' })

const question = (id: string, skill: string, points: number) => ({
  ...completeSteps.quiz.quiz.questions[0],
  id,
  points,
  skills: [skill],
})

type Step = { id: string; type: 'video' | 'quiz' | 'reading' }

describe.each(testDialects())('rebuilding every read model from the logs on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let owner: TestClient
  const students: { id: string; client: TestClient }[] = []
  const path: Step[] = []

  async function runJob(name: string, at: string) {
    t.clock.set(at)
    const runs = await runJobByHand(
      { db: t.database.db, clock: t.clock, logger: silent, registry: t.jobs },
      t.jobs.find(name) as ScheduledJob,
      new Date(at),
      orgId,
    )
    expect(runs.map((r) => r.result.error)).toEqual([null])
    await t.project()
  }

  /** Watches at 2x, a ping every 10 s of clock time, until the server credits the video. */
  async function watch(client: TestClient, classId: string) {
    let position = 0
    await client.post('/api/video-event', { class_id: classId, position })
    for (;;) {
      t.clock.advance(10_000)
      position += 20
      const res = await client.post('/api/video-event', { class_id: classId, position, playback_rate: 2 })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      if (res.body.progress[0].video_completed) return
    }
  }

  /** One action on the student's current step: the whole video, a quiz answer (wrong when told), a reading. */
  async function act(student: (typeof students)[number], wrong: boolean) {
    const learner = await student.client.get('/api/learner')
    const current = learner.body.courses.find((c: { current_step: unknown }) => c.current_step)?.current_step
    const step = current && path.find((s) => s.id === current.class_id)
    if (!step) return
    if (step.type === 'video') return watch(student.client, step.id)
    if (step.type === 'reading') {
      expect((await student.client.post('/api/step-ack', { class_id: step.id })).status).toBe(200)
      return
    }
    const res = await student.client.post('/api/quiz-submission', {
      class_id: step.id,
      answers: wrong ? { q1: 'b', q2: 'b' } : { q1: 'a', q2: 'a' },
    })
    // Out of hearts is part of the story: the attempt is refused and nothing is stored.
    expect([200, 409], JSON.stringify(res.body)).toContain(res.status)
  }

  beforeAll(async () => {
    t = await startTestApp(dialect)
    t.clock.set(new Date(START - 3 * DAY).toISOString())
    orgId = (await createOrg(t)).id
    owner = (await signedInMember(t, orgId, 'owner')).client
    for (let s = 0; s < STUDENTS; s++) {
      const { studentId, email } = await createStudent(t, orgId)
      students.push({ id: studentId, client: await signIn(t, email) })
    }
    const author = (await signedInMember(t, orgId, 'instructor')).client
    const steps = {
      video: {
        ...completeSteps.video,
        video: { source: 'url', url: 'https://v.example/a.mp4', duration_sec: 60 },
      },
      quiz: {
        ...completeSteps.quiz,
        quiz: { questions: [question('q1', 'planètes', 1), question('q2', 'orbites', 2)] },
      },
      reading: completeSteps.reading,
    }
    for (const [name, kinds] of [
      ['Astronomie', ['video', 'quiz', 'reading', 'reading']],
      ['Chimie', ['reading', 'quiz', 'video', 'reading']],
    ] as const) {
      const course = await author.post('/api/lms/courses', { name, student_ids: students.map((s) => s.id) })
      for (const kind of kinds) {
        const res = await author.post('/api/lms/classes', { course_id: course.body.id, ...steps[kind] })
        path.push({ id: res.body.id, type: kind })
      }
      expect((await author.post(`/api/courses/${course.body.id}/publish`)).status).toBe(200)
    }

    for (let d = 0; d < DAYS; d++) {
      if (d === 4) {
        t.clock.set(new Date(START + d * DAY - 3_600_000).toISOString())
        const badge = await owner.post('/api/gamification/badges', {
          code: 'double_quiz',
          name: 'Deux quiz',
          criteria: { count: { signal: 'QUIZ_PASSED' }, gte: 2 },
          points_reward: 30,
        })
        expect(badge.status, JSON.stringify(badge.body)).toBe(201)
      }
      for (const [s, student] of students.entries()) {
        // Student 0 comes every day (a 7-day streak, a freeze) until day 10; the others now and then.
        const comes = s === 0 ? d < 10 : (s + d) % 3 !== 0
        if (!comes) continue
        t.clock.set(new Date(START + d * DAY + s * 600_000).toISOString())
        await act(student, s > 0 && (s + d) % 4 === 0)
        // Some evenings a second try, near midnight in Paris.
        if ((s * d) % 5 === 1) {
          t.clock.set(new Date(START + d * DAY + 14 * 3_600_000 + s * 60_000).toISOString())
          await act(student, s % 2 === 1)
        }
      }
      await runJob('gamification.regenerate-hearts', new Date(START + d * DAY + 12 * 3_600_000).toISOString())
      // 00:05 in Paris the next day closes this one.
      await runJob(
        'gamification.close-streak-day',
        new Date(START + (d + 1) * DAY - 8 * 3_600_000 + 300_000).toISOString(),
      )
    }
  }, 240_000)
  afterAll(() => t.close())

  /** Everything the read models hold, in a stable order, without the times of the writes themselves. */
  async function readModels() {
    const db = t.database.db
    const sorted = <T extends Record<string, unknown>>(rows: T[]) =>
      rows
        .map((row) =>
          JSON.stringify(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
        )
        .sort()
    return {
      progress: sorted(await db.selectFrom('v_user_progress').selectAll().execute()),
      signals: sorted(
        await db
          .selectFrom('lms_signal')
          .select(['id', 'seq', 'type', 'student_id', 'course_id', 'class_id', 'occurred_at', 'payload_json'])
          .execute(),
      ),
      xp: sorted(
        await db
          .selectFrom('xp_ledger')
          .selectAll()
          .select((eb) => eb.val(null).as('created_at'))
          .execute(),
      ),
      awards: sorted(await db.selectFrom('gamification_award').selectAll().execute()),
      counters: sorted(await db.selectFrom('gamification_counter').selectAll().execute()),
      scores: sorted(await db.selectFrom('gamification_score').selectAll().execute()),
      weekScores: sorted(await db.selectFrom('gamification_week_score').selectAll().execute()),
      histogram: sorted(
        await db.selectFrom('gamification_score_histogram').selectAll().where('students', '>', 0).execute(),
      ),
      activity: sorted(await db.selectFrom('gamification_activity_day').selectAll().execute()),
      history: sorted(await db.selectFrom('v_streak_history').selectAll().execute()),
      streaks: sorted(await db.selectFrom('gamification_streak').selectAll().execute()),
      hearts: sorted(await db.selectFrom('hearts').selectAll().execute()),
      questions: sorted(
        await db
          .selectFrom('mastery_question')
          .selectAll()
          .select((eb) => eb.val(null).as('updated_at'))
          .execute(),
      ),
      courseMastery: sorted(await db.selectFrom('v_course_mastery').selectAll().execute()),
      skillMastery: sorted(await db.selectFrom('v_skill_mastery').selectAll().execute()),
    }
  }

  async function rebuildAll() {
    for (const projector of t.projectors) {
      const run = await rebuildProjection(t.database.db, trackingEvents, projector, t.clock)
      expect(run.failed, projector.name).toBeNull()
    }
  }

  it('lived a story that touches every read model', async () => {
    const models = await readModels()
    for (const [name, rows] of Object.entries(models)) expect(rows.length, name).toBeGreaterThan(0)
    const types = new Set(models.signals.map((s) => JSON.parse(s)[2][1]))
    for (const type of [
      'VIDEO_COMPLETED',
      'QUIZ_PASSED',
      'COURSE_COMPLETED',
      'STREAK_DAY',
      'HEART_LOST',
      'HEART_REFILLED',
    ]) {
      expect(types, type).toContain(type)
    }
    const history = models.history.map((row) => Object.fromEntries(JSON.parse(row)))
    expect(history.some((h) => h.frozen === 1)).toBe(true)
    const awards = models.awards.map((row) => Object.fromEntries(JSON.parse(row)))
    const codes = new Set(awards.map((a) => a.badge_id.split(':').pop()))
    for (const code of ['first_video', 'first_quiz', 'streak_7', 'double_quiz', 'course_complete']) {
      expect(codes, code).toContain(code)
    }
  })

  it('gets every read model back identical from a rebuild, whatever the clock says now', async () => {
    const before = await readModels()
    const leaderboard = (await owner.get('/api/leaderboard')).body
    t.clock.set('2027-03-01T12:00:00.000Z')
    await rebuildAll()
    expect(await readModels()).toEqual(before)
    expect((await owner.get('/api/leaderboard')).body.rows).toEqual(leaderboard.rows)
  })

  it('pays everyone again at the new amount after a change of XP amount and a rebuild', async () => {
    const passes = new Map<string, number>()
    for (const s of await t.database.db
      .selectFrom('lms_signal')
      .select('student_id')
      .where('type', '=', 'QUIZ_PASSED')
      .execute()) {
      passes.set(s.student_id, (passes.get(s.student_id) ?? 0) + 1)
    }
    const totals = async () =>
      new Map(
        (
          await t.database.db
            .selectFrom('gamification_score')
            .select(['student_id', 'total_points'])
            .execute()
        ).map((r) => [r.student_id, Number(r.total_points)]),
      )
    const before = await totals()
    const patch = await owner.patch('/api/gamification/settings', { xp: { quiz_passed: 80 } })
    expect(patch.status, JSON.stringify(patch.body)).toBe(200)
    // New amounts apply to what happens next: nothing moves until the rebuild.
    expect(await totals()).toEqual(before)
    const xp = t.projectors.find((p) => p.name === 'gamification_xp')
    if (!xp) throw new Error('no gamification_xp projector')
    expect((await rebuildProjection(t.database.db, trackingEvents, xp, t.clock)).failed).toBeNull()
    const after = await totals()
    expect(passes.size).toBeGreaterThan(1)
    for (const [studentId, total] of before) {
      expect(after.get(studentId), studentId).toBe(total + 30 * (passes.get(studentId) ?? 0))
    }
  })
})
