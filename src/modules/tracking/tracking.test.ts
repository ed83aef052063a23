import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { profilesOfUser } from '../identity/index.ts'
import { userProgressProjector } from '../progress/index.ts'
import { trackingEvents } from './contract.ts'

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
      explanation: 'Iron oxide.',
      skills: ['planets'],
    },
    { id: 'q2', type: 'number', prompt: 'How many planets?', answer: 8, points: 4 },
  ],
}

describe.each(testDialects())('tracking a learning path on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let author: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    author = await signedInMember(t, orgId, 'instructor')
  })
  afterAll(() => t.close())

  /** A published path (video 600 s, quiz, video 100 s + quiz, reading) and an enrolled, signed-in student. */
  async function enrolledStudent() {
    const student = await signedInMember(t, orgId, 'student')
    const { studentId } = await profilesOfUser(t.identity, orgId, student.userId)
    const course = (await author.client.post('/api/lms/courses', { name: 'Path', student_ids: [studentId] }))
      .body
    const add = async (step: object) =>
      (await author.client.post('/api/lms/classes', { course_id: course.id, ...step })).body.id as string
    const steps = {
      video: await add({
        name: 'Video',
        step_type: 'video',
        video: { source: 'url', url: 'https://v.example/a.mp4', duration_sec: 600 },
      }),
      quiz: await add({ name: 'Quiz', step_type: 'quiz', quiz }),
      videoQuiz: await add({
        name: 'Both',
        step_type: 'video_quiz',
        video: { source: 'url', url: 'https://v.example/b.mp4', duration_sec: 100 },
        quiz: { pass_threshold: 0.5, questions: quiz.questions },
      }),
      reading: await add({ name: 'Read', step_type: 'reading', content_md: 'Text' }),
    }
    expect((await author.client.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
    return { client: student.client, studentId: studentId as string, courseId: course.id as string, steps }
  }

  async function ping(client: TestClient, classId: string, position: number, extra: object = {}) {
    return client.post('/api/video-event', { class_id: classId, position, ...extra })
  }

  /** Watches a video honestly at 2x: a ping at start, then one every 10 s of real (clock) time. */
  async function watch(client: TestClient, classId: string, durationSec: number) {
    let position = 0
    await ping(client, classId, 0)
    for (;;) {
      t.clock.advance(10_000)
      position = Math.min(position + 20, durationSec)
      const res = await ping(client, classId, position, { playback_rate: 2 })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      if (res.body.progress[0].video_completed) return
    }
  }

  async function signals(studentId: string) {
    const rows = await t.database.db
      .selectFrom('lms_signal')
      .select(['type', 'class_id'])
      .where('student_id', '=', studentId)
      .orderBy('occurred_at')
      .orderBy('type')
      .execute()
    return rows.map((r) => r.type)
  }

  it('accepts events only for the current step of an enrolled, published course', async () => {
    const { client, steps } = await enrolledStudent()
    const locked = await ping(client, steps.quiz, 0)
    expect(locked.status).toBe(409)
    expect(locked.body.error).toMatchObject({
      code: 'step_locked',
      details: { current_class_id: steps.video },
    })
    expect((await ping(client, 'no-such-step', 0)).status).toBe(404)
    const other = await enrolledStudent()
    const notEnrolled = await ping(client, other.steps.video, 0)
    expect(notEnrolled.status).toBe(403)
    expect(notEnrolled.body.error.code).toBe('not_enrolled')
    const stored = await t.database.db
      .selectFrom('lms_event')
      .select('id')
      .where('class_id', '=', steps.quiz)
      .execute()
    expect(stored).toEqual([])
  })

  it('credits plausible viewing, completes the video at 90 % and then closes the step', async () => {
    const { client, studentId, steps } = await enrolledStudent()
    await ping(client, steps.video, 0)
    t.clock.advance(200_000)
    const halfway = await ping(client, steps.video, 400, { playback_rate: 2 })
    expect(halfway.body.progress).toEqual([
      expect.objectContaining({ class_id: steps.video, video_position_sec: 400, video_completed: false }),
    ])
    t.clock.advance(70_000)
    const done = await ping(client, steps.video, 540, { playback_rate: 2 })
    expect(done.body.progress[0]).toMatchObject({ video_completed: true, step_completed: true })
    expect(await signals(studentId)).toEqual(['STEP_COMPLETED', 'VIDEO_COMPLETED'])
    const closed = await ping(client, steps.video, 560)
    expect(closed.status).toBe(409)
    expect(closed.body.error.code).toBe('step_closed')
  })

  it('stores but never credits a jump ahead of what real time allows', async () => {
    const { client, steps } = await enrolledStudent()
    await ping(client, steps.video, 0)
    t.clock.advance(10_000)
    const jump = await ping(client, steps.video, 590, { event_id: crypto.randomUUID() })
    expect(jump.status).toBe(200)
    expect(jump.body.progress[0]).toMatchObject({
      video_position_sec: 0,
      video_completed: false,
      skip_attempts: 1,
    })
    const stored = await t.database.db
      .selectFrom('lms_event')
      .select('id')
      .where('id', '=', jump.body.results[0].event_id)
      .executeTakeFirst()
    expect(stored).toBeDefined()
  })

  it('judges an offline batch by server time, whatever timestamps it claims', async () => {
    const { client, steps } = await enrolledStudent()
    await ping(client, steps.video, 0)
    t.clock.advance(60_000)
    const forged = Array.from({ length: 30 }, (_, i) => ({
      event_id: crypto.randomUUID(),
      class_id: steps.video,
      position: (i + 1) * 20,
      occurred_at: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 10_000).toISOString(),
    }))
    const res = await client.post('/api/video-event', { events: forged })
    expect(res.status).toBe(200)
    expect(res.body.results.every((r: { status: string }) => r.status === 'accepted')).toBe(true)
    // 60 s at 2x plus the 10 s tolerance: 130 s at most, whatever the batch says.
    expect(res.body.progress[0].video_position_sec).toBeLessThanOrEqual(130)
    expect(res.body.progress[0].video_position_sec).toBe(120)
  })

  it('accepts a resent event once, and refuses the same id with other content', async () => {
    const { client, steps } = await enrolledStudent()
    const id = crypto.randomUUID()
    expect((await ping(client, steps.video, 0, { event_id: id })).body.results[0].status).toBe('accepted')
    expect((await ping(client, steps.video, 0, { event_id: id })).body.results[0].status).toBe('duplicate')
    const conflict = await ping(client, steps.video, 5, { event_id: id })
    expect(conflict.status).toBe(409)
    expect(conflict.body.error.code).toBe('event_conflict')
    const count = await t.database.db.selectFrom('lms_event').select('id').where('id', '=', id).execute()
    expect(count).toHaveLength(1)
  })

  it('grades quizzes on the server, ignores a score sent by the client, and keeps every attempt', async () => {
    const { client, studentId, steps } = await enrolledStudent()
    await watch(client, steps.video, 600)
    const failed = await client.post('/api/quiz-submission', {
      class_id: steps.quiz,
      answers: { q1: 'b', q2: 7 },
      score: 100,
      passed: true,
    })
    expect(failed.status).toBe(200)
    expect(failed.body).toMatchObject({
      score: 0,
      max_score: 5,
      passed: false,
      pass_threshold: 0.8,
      attempts: 1,
    })
    expect(failed.body.results[0]).toMatchObject({ correct: false, explanation: null })
    expect(failed.body.results[0]).not.toHaveProperty('correct_answer')
    const eventId = crypto.randomUUID()
    const passed = await client.post('/api/quiz-submission', {
      event_id: eventId,
      class_id: steps.quiz,
      answers: { q1: 'a', q2: 8 },
    })
    expect(passed.body).toMatchObject({ score: 5, ratio: 1, passed: true, attempts: 2 })
    const resent = await client.post('/api/quiz-submission', {
      event_id: eventId,
      class_id: steps.quiz,
      answers: { q1: 'a', q2: 8 },
    })
    expect(resent.status).toBe(200)
    expect(resent.body).toMatchObject({ event_id: eventId, passed: true, attempts: 2 })
    expect(await signals(studentId)).toContain('QUIZ_PASSED')
    const locked = await client.post('/api/quiz-submission', { class_id: steps.quiz, answers: {} })
    expect(locked.body.error.code).toBe('step_closed')
  })

  it('asks for the video before the quiz of a video-and-quiz step, and completes the course with the reading', async () => {
    const { client, studentId, steps } = await enrolledStudent()
    await watch(client, steps.video, 600)
    await client.post('/api/quiz-submission', { class_id: steps.quiz, answers: { q1: 'a', q2: 8 } })
    const early = await client.post('/api/quiz-submission', {
      class_id: steps.videoQuiz,
      answers: { q1: 'a' },
    })
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('video_first')
    await watch(client, steps.videoQuiz, 100)
    const half = await client.post('/api/quiz-submission', {
      class_id: steps.videoQuiz,
      answers: { q1: 'a', q2: 1 },
    })
    expect(half.body).toMatchObject({ ratio: 0.2, passed: false })
    await client.post('/api/quiz-submission', { class_id: steps.videoQuiz, answers: { q1: 'a', q2: 8 } })
    expect((await client.post('/api/step-ack', { class_id: steps.quiz })).body.error.code).toBe('step_closed')
    const read = await client.post('/api/step-ack', { class_id: steps.reading })
    expect(read.body).toMatchObject({ step_completed: true })
    const all = await signals(studentId)
    expect(all.filter((s) => s === 'STEP_COMPLETED')).toHaveLength(4)
    expect(all.filter((s) => s === 'COURSE_COMPLETED')).toHaveLength(1)
  })

  it('lets only students record learning, and staff integration tokens name the student', async () => {
    const { studentId, steps } = await enrolledStudent()
    const asInstructor = await ping(author.client, steps.video, 0)
    expect(asInstructor.status).toBe(403)
    expect(asInstructor.body.error.code).toBe('not_a_student')
    const token = (await author.client.post('/api/tokens', { name: 'integration' })).body.token
    const integration = t.client({ token, origin: null })
    const res = await integration.post('/api/video-event', {
      class_id: steps.video,
      position: 0,
      student_id: studentId,
    })
    expect(res.status).toBe(200)
    expect(res.body.results[0].status).toBe('accepted')
  })

  it('keeps the steps a student reached in place in the catalog', async () => {
    const { client, courseId, steps } = await enrolledStudent()
    await watch(client, steps.video, 600)
    const reorder = await author.client.put(`/api/courses/${courseId}/steps/order`, {
      class_ids: [steps.quiz, steps.video, steps.videoQuiz, steps.reading],
    })
    expect(reorder.status).toBe(409)
    expect(reorder.body.error).toMatchObject({ code: 'students_started', details: { reached_steps: 2 } })
    const later = await author.client.put(`/api/courses/${courseId}/steps/order`, {
      class_ids: [steps.video, steps.quiz, steps.reading, steps.videoQuiz],
    })
    expect(later.status).toBe(200)
  })

  it('rebuilds the same progress and signals from the log, old event versions included', async () => {
    const { client, studentId, steps } = await enrolledStudent()
    await ping(client, steps.video, 0)
    t.clock.advance(100_000)
    const v1Id = crypto.randomUUID()
    // A VIDEO_PING stored in its first version (seed 003's shape), as an older release wrote it.
    await t.database.db
      .insertInto('lms_event')
      .values({
        id: v1Id,
        org_id: orgId,
        type: 'VIDEO_PING',
        version: 1,
        student_id: studentId,
        course_id: (
          await t.database.db
            .selectFrom('lms_class')
            .select('course_id')
            .where('id', '=', steps.video)
            .executeTakeFirstOrThrow()
        ).course_id,
        class_id: steps.video,
        occurred_at: t.clock.now().toISOString(),
        received_at: t.clock.now().toISOString(),
        payload_json: JSON.stringify({ position: 150, playback_rate: 2 }),
        context_json: JSON.stringify({
          step_type: 'video',
          step_index: 0,
          step_count: 4,
          duration_sec: 600,
          max_playback_rate: 2,
          completion_threshold: 0.9,
          pass_threshold: 0.8,
          skip_tolerance_sec: 10,
        }),
        created_at: t.clock.now().toISOString(),
      })
      .execute()
    await t.project()
    const snapshot = async () => ({
      progress: await t.database.db
        .selectFrom('v_user_progress')
        .selectAll()
        .orderBy('student_id')
        .orderBy('class_id')
        .execute(),
      signals: await t.database.db.selectFrom('lms_signal').selectAll().orderBy('id').execute(),
    })
    const before = await snapshot()
    const mine = before.progress.find((p) => p.student_id === studentId && p.class_id === steps.video)
    expect(Number(mine?.video_max_position_sec)).toBe(150)
    const run = await rebuildProjection(t.database.db, trackingEvents, userProgressProjector, t.clock)
    expect(run.failed).toBeNull()
    expect(await snapshot()).toEqual(before)
  })
})
