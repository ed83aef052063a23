import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { signIn } from '../../../test/helpers/factories.ts'
import { DEMO_PASSWORD, seedDemo } from '../../demo.ts'

describe.each(testDialects())('what students see of their courses on %s', (dialect) => {
  let t: TestApp
  let lea: TestClient
  let teacher: TestClient
  let courseId: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    await seedDemo(t)
    lea = await signIn(t, 'lea@demo.sillon.test', DEMO_PASSWORD)
    teacher = await signIn(t, 'prof@demo.sillon.test', DEMO_PASSWORD)
    courseId = (await teacher.get('/api/lms/courses')).body[0].id
  })
  afterAll(() => t.close())

  it('shows every step with its state and only the current step with its content', async () => {
    const res = await lea.get(`/api/me/courses/${courseId}`)
    expect(res.status).toBe(200)
    expect(res.body.progress).toMatchObject({
      completed_steps: 0,
      total_steps: 4,
      ratio: 0,
      completed: false,
    })
    expect(res.body.steps.map((s: { state: string }) => s.state)).toEqual([
      'current',
      'locked',
      'locked',
      'locked',
    ])
    expect(res.body.steps[0].content.video).toEqual({
      source: 'url',
      url: '/media/demo/systeme-solaire.mp4',
      duration_sec: 30,
    })
    expect(res.body.steps.slice(1).every((s: { content: unknown }) => s.content === null)).toBe(true)
    expect(res.body.kms).toMatchObject({ locked: 2 })
  })

  it('moves on once the video is watched, and shows the quiz without its answer key', async () => {
    const before = (await lea.get(`/api/me/courses/${courseId}`)).body
    const videoId = before.steps[0].id
    await lea.post('/api/video-event', { class_id: videoId, position: 0 })
    t.clock.advance(14_000)
    const watched = await lea.post('/api/video-event', { class_id: videoId, position: 28, playback_rate: 2 })
    expect(watched.body.progress[0]).toMatchObject({ video_completed: true, step_completed: true })

    const after = (await lea.get(`/api/me/courses/${courseId}`)).body
    expect(after.steps.map((s: { state: string }) => s.state)).toEqual([
      'completed',
      'current',
      'locked',
      'locked',
    ])
    expect(after.steps[0].content).toBeNull()
    const quiz = after.steps[1].content.quiz
    expect(quiz.kind).toBe('native')
    expect(quiz.questions).toHaveLength(5)
    const text = JSON.stringify(after)
    expect(text).not.toContain('"answer"')
    expect(text).not.toContain('explanation')
    expect(text).not.toContain('tolerance')
  })

  it('summarises a learner for the learner and for staff of the school, not for other students', async () => {
    const own = await lea.get('/api/learner')
    expect(own.status).toBe(200)
    expect(own.body.courses).toEqual([
      expect.objectContaining({
        course_id: courseId,
        completed_steps: 1,
        total_steps: 4,
        ratio: 0.25,
        current_step: expect.objectContaining({ step_type: 'quiz' }),
      }),
    ])
    // The watched video paid 10 XP and the First Video badge its 10 points; the completed step made today count.
    expect(own.body.gamification).toMatchObject({
      xp: { total: 20, level: { level: 1 } },
      badges: { count: 1, recent: [expect.objectContaining({ code: 'first_video', points: 10 })] },
      streak: { current: 1, active_today: true },
      hearts: { enabled: true, hearts: 5, max_hearts: 5, next_heart_at: null },
    })
    const me = (await lea.get('/api/auth/me')).body
    const byStaff = await teacher.get(`/api/learner?userId=${me.user.id}`)
    expect(byStaff.body.student_id).toBe(me.student_id)
    const byStudentId = await teacher.get(`/api/learner?userId=${me.student_id}`)
    expect(byStudentId.body.courses[0].completed_steps).toBe(1)
    const hugo = await signIn(t, 'hugo@demo.sillon.test', DEMO_PASSWORD)
    expect((await hugo.get(`/api/learner?userId=${me.user.id}`)).status).toBe(404)
    expect((await teacher.get('/api/learner?userId=nobody')).status).toBe(404)
  })

  it('keeps the student view for students and the courses they are enrolled in', async () => {
    expect((await teacher.get(`/api/me/courses/${courseId}`)).status).toBe(403)
    const draft = (await teacher.post('/api/lms/courses', { name: 'Draft' })).body
    expect((await lea.get(`/api/me/courses/${draft.id}`)).status).toBe(404)
  })
})
