import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import {
  completeSteps,
  createOrg,
  createStudent,
  signedInMember,
  signIn,
} from '../../../test/helpers/factories.ts'

// A school in Paris (UTC+1 in November) with a published path: reading, a one-question quiz on the skill
// "planètes", reading. The student reads on Saturday the 28th, misses Sunday, and on Monday the 30th fails
// the quiz once and passes it; the dashboard is read that Monday at 13:00 in Paris.
const NOW = '2026-11-30T12:00:00.000Z'

describe.each(testDialects())('the student dashboard on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let student: TestClient
  let instructor: TestClient
  let steps: string[]

  beforeAll(async () => {
    t = await startTestApp(dialect)
    t.clock.set('2026-11-20T09:00:00.000Z')
    orgId = (await createOrg(t)).id
    instructor = (await signedInMember(t, orgId, 'instructor')).client
    const { studentId, email } = await createStudent(t, orgId)
    student = await signIn(t, email)
    const course = await instructor.post('/api/lms/courses', { name: 'Astronomie', student_ids: [studentId] })
    const quiz = {
      ...completeSteps.quiz,
      quiz: { questions: [{ ...completeSteps.quiz.quiz.questions[0], skills: ['planètes'] }] },
    }
    steps = []
    for (const step of [completeSteps.reading, quiz, { ...completeSteps.reading, name: 'Conclusion' }]) {
      steps.push((await instructor.post('/api/lms/classes', { course_id: course.body.id, ...step })).body.id)
    }
    expect((await instructor.post(`/api/courses/${course.body.id}/publish`)).status).toBe(200)

    const act = async (instant: string, path: string, body: object) => {
      t.clock.set(instant)
      const res = await student.post(path, body)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
    }
    await act('2026-11-28T10:00:00.000Z', '/api/step-ack', { class_id: steps[0] })
    await act('2026-11-30T11:00:00.000Z', '/api/quiz-submission', {
      class_id: steps[1],
      answers: { q1: 'b' },
    })
    await act('2026-11-30T11:05:00.000Z', '/api/quiz-submission', {
      class_id: steps[1],
      answers: { q1: 'a' },
    })
    t.clock.set(NOW)
  })
  afterAll(() => t.close())

  it('shows each course with its progress and the next step to do', async () => {
    const res = await student.get('/api/me/dashboard')
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.as_of).toBe(NOW)
    expect(res.body.courses).toHaveLength(1)
    expect(res.body.courses[0]).toMatchObject({
      name: 'Astronomie',
      completed_steps: 2,
      total_steps: 3,
      completed: false,
      current_step: { class_id: steps[2], name: 'Conclusion', step_type: 'reading' },
    })
  })

  it('shows the same XP, level, badges and streak as the learner summary', async () => {
    const [dashboard, learner] = await Promise.all([
      student.get('/api/me/dashboard'),
      student.get('/api/learner'),
    ])
    const { calendar, ...streak } = dashboard.body.streak
    expect(streak).toEqual(learner.body.gamification.streak)
    expect(dashboard.body.xp).toEqual(learner.body.gamification.xp)
    expect(dashboard.body.badges).toEqual(learner.body.gamification.badges)
    // Quiz passed (+50), with no perfect-quiz bonus since the perfect score came at the second attempt,
    // plus what the badges earned pays.
    const badgePoints = dashboard.body.badges.recent.reduce(
      (sum: number, b: { points: number }) => sum + b.points,
      0,
    )
    expect(dashboard.body.xp.total).toBe(50 + badgePoints)
    expect(dashboard.body.badges.recent.map((b: { code: string }) => b.code)).toContain('first_quiz')
  })

  it('shows hearts after the failed attempt, with the time of the next heart', async () => {
    const { hearts } = (await student.get('/api/me/dashboard')).body
    // One heart lost at 11:00 UTC comes back 4 hours later.
    expect(hearts).toEqual({
      enabled: true,
      hearts: 4,
      max_hearts: 5,
      next_heart_at: '2026-11-30T15:00:00.000Z',
      full_at: '2026-11-30T15:00:00.000Z',
    })
    t.clock.set('2026-11-30T15:00:00.000Z')
    expect((await student.get('/api/me/dashboard')).body.hearts).toMatchObject({
      hearts: 5,
      next_heart_at: null,
    })
    t.clock.set(NOW)
  })

  it("draws the streak calendar up to today in the school's time zone, the missed day included", async () => {
    const { streak } = (await student.get('/api/me/dashboard?days=7')).body
    expect(streak).toMatchObject({ current: 1, active_today: true, freezes_held: 0 })
    expect(streak.calendar.from).toBe('2026-11-24')
    expect(streak.calendar.to).toBe('2026-11-30')
    expect(streak.calendar.days).toEqual([
      { day: '2026-11-28', active: true, frozen: false, streak_length: 1, freezes_held: 0 },
      { day: '2026-11-29', active: false, frozen: false, streak_length: 0, freezes_held: 0 },
      { day: '2026-11-30', active: true, frozen: false, streak_length: 1, freezes_held: 0 },
    ])
    // 00:30 on Tuesday in Paris is still Monday in UTC: the calendar follows the school.
    t.clock.set('2026-11-30T23:30:00.000Z')
    const tuesday = (await student.get('/api/me/dashboard?days=7')).body.streak
    expect(tuesday.calendar.to).toBe('2026-12-01')
    expect(tuesday).toMatchObject({ current: 1, active_today: false, at_risk_today: true })
    t.clock.set(NOW)
  })

  it('summarises the skills with their levels now', async () => {
    const { skills } = (await student.get('/api/me/dashboard')).body
    expect(skills.skills).toHaveLength(1)
    expect(skills.skills[0]).toMatchObject({ skill: 'planètes' })
    const level = skills.skills[0].level as keyof typeof skills.levels
    expect(skills.levels).toEqual({ attempted: 0, familiar: 0, proficient: 0, mastered: 0, [level]: 1 })
  })

  it('refuses a calendar shorter than a week or longer than a year', async () => {
    for (const days of [3, 400, 'many']) {
      const res = await student.get(`/api/me/dashboard?days=${days}`)
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
    }
  })

  it('is for students: a member without a student profile gets 403', async () => {
    const res = await instructor.get('/api/me/dashboard')
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('not_a_student')
  })
})
