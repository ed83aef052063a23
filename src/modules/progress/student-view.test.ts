import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { updateSettings } from '../gamification/index.ts'
import { profilesOfUser } from '../identity/index.ts'

// What the player needs before a student does anything: the score a quiz asks for, the hearts left, how the
// questions are shown, and whether the course's videos may be saved.

const questions = [
  {
    id: 'q1',
    type: 'single_choice',
    prompt: 'Which planet is red?',
    choices: [
      { id: 'mars', text: 'Mars' },
      { id: 'venus', text: 'Venus' },
    ],
    answer: 'mars',
  },
]

describe.each(testDialects())("the student's view of a course on %s", (dialect) => {
  let t: TestApp
  let orgId: string
  let author: TestClient

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    await updateSettings(t.gamification, orgId, { hearts: { max_hearts: 2, regen_interval_minutes: 60 } })
    author = (await signedInMember(t, orgId, 'instructor')).client
  })
  afterAll(() => t.close())

  /** A published one-step course and an enrolled, signed-in student. */
  async function course(step: object, settings: object = {}) {
    const student = await signedInMember(t, orgId, 'student')
    const { studentId } = await profilesOfUser(t.identity, orgId, student.userId)
    const created = await author.post('/api/lms/courses', {
      name: 'Planets',
      student_ids: [studentId],
      ...settings,
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const res = await author.post('/api/lms/classes', { course_id: created.body.id, name: 'Step', ...step })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect((await author.post(`/api/courses/${created.body.id}/publish`)).status).toBe(200)
    const view = async () => (await student.client.get(`/api/me/courses/${created.body.id}`)).body
    return {
      client: student.client,
      courseId: created.body.id as string,
      classId: res.body.id as string,
      view,
    }
  }

  it("shows the course's default pass mark on a quiz that sets none, and the quiz's own otherwise", async () => {
    const byDefault = await course({ step_type: 'quiz', quiz: { questions } }, { quiz_pass_threshold: 0.7 })
    expect((await byDefault.view()).steps[0].content.quiz.pass_threshold).toBe(0.7)
    const own = await course({ step_type: 'quiz', quiz: { pass_threshold: 0.5, questions } })
    expect((await own.view()).steps[0].content.quiz.pass_threshold).toBe(0.5)
  })

  it('gives the hearts left before any attempt, and none with the refill time once they are spent', async () => {
    const { client, classId, view } = await course({ step_type: 'quiz', quiz: { questions } })
    expect((await view()).hearts).toEqual({ hearts: 2, max_hearts: 2, next_heart_at: null })
    for (const _ of [1, 2]) {
      const res = await client.post('/api/quiz-submission', { class_id: classId, answers: { q1: 'venus' } })
      expect(res.status).toBe(200)
    }
    const { hearts } = await view()
    expect(hearts).toEqual({ hearts: 0, max_hearts: 2, next_heart_at: expect.any(String) })
  })

  it('says no hearts when the school has them off', async () => {
    const other = (await createOrg(t)).id
    await updateSettings(t.gamification, other, { hearts: { enabled: false } })
    const teacher = (await signedInMember(t, other, 'instructor')).client
    const student = await signedInMember(t, other, 'student')
    const { studentId } = await profilesOfUser(t.identity, other, student.userId)
    const created = (await teacher.post('/api/lms/courses', { name: 'Off', student_ids: [studentId] })).body
    await teacher.post('/api/lms/classes', {
      course_id: created.id,
      name: 'Q',
      step_type: 'quiz',
      quiz: { questions },
    })
    await teacher.post(`/api/courses/${created.id}/publish`)
    expect((await student.client.get(`/api/me/courses/${created.id}`)).body.hearts).toBeNull()
  })

  it('keeps a quiz shown one question at a time through the student view, an export and an import', async () => {
    const { courseId, classId, view } = await course({
      step_type: 'quiz',
      quiz: { question_display: 'one_at_a_time', questions },
    })
    expect((await view()).steps[0].content.quiz.question_display).toBe('one_at_a_time')
    const exported = (await author.get(`/api/lms/courses/${courseId}/export`)).body
    expect(exported.steps[0].quiz.question_display).toBe('one_at_a_time')
    const imported = await author.post('/api/lms/courses/import', exported)
    expect(imported.status).toBe(201)
    const steps = (await author.get(`/api/lms/classes?course_id=${imported.body.id}`)).body
    expect(steps[0].quiz.question_display).toBe('one_at_a_time')
    const back = await author.patch(`/api/lms/classes/${classId}`, { quiz: { questions } })
    expect(back.body.quiz.question_display).toBe('all')
    const bad = await author.patch(`/api/lms/classes/${classId}`, {
      quiz: { question_display: 'shuffled', questions },
    })
    expect(bad.status).toBe(400)
  })

  it("tells the player whether the course's videos may be downloaded, allowed unless the course says not", async () => {
    const video = {
      step_type: 'video',
      video: { source: 'url', url: 'https://cdn.example.org/v.mp4', duration_sec: 30 },
    }
    const allowed = await course(video)
    expect((await allowed.view()).course.allow_video_download).toBe(true)
    const refused = await course(video, { allow_video_download: false })
    expect((await refused.view()).course.allow_video_download).toBe(false)
    const exported = (await author.get(`/api/lms/courses/${refused.courseId}/export`)).body
    expect(exported.course.allow_video_download).toBe(false)
    const updated = await author.patch(`/api/lms/courses/${refused.courseId}`, { allow_video_download: true })
    expect(updated.body.allow_video_download).toBe(true)
  })
})
