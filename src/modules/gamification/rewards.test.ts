import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { completeSteps, createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { profilesOfUser } from '../identity/index.ts'
import { trackingEvents } from '../tracking/index.ts'
import { badgesReactor } from './projections/badges.ts'
import { xpReactor } from './projections/xp.ts'

// What a student is told as rewards come (GET /api/me/rewards, from a cursor) and at the end of a course
// (GET /api/me/courses/{id}/recap), with the default XP amounts and badges.

describe.each(testDialects())('rewards as they come on %s', (dialect) => {
  let t: TestApp
  let orgId: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
  })
  afterAll(() => t.close())

  /** A student enrolled in a published course of a one-question quiz then a reading. */
  async function studentInCourse() {
    const author = (await signedInMember(t, orgId, 'instructor')).client
    const student = await signedInMember(t, orgId, 'student')
    const studentId = (await profilesOfUser(t.identity, orgId, student.userId)).studentId as string
    const course = (await author.post('/api/lms/courses', { name: 'Planets', student_ids: [studentId] })).body
    const quiz = (await author.post('/api/lms/classes', { course_id: course.id, ...completeSteps.quiz })).body
    const reading = (
      await author.post('/api/lms/classes', { course_id: course.id, ...completeSteps.reading })
    ).body
    expect((await author.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
    const passQuiz = async () => {
      const res = await student.client.post('/api/quiz-submission', {
        class_id: quiz.id,
        answers: { q1: 'a' },
      })
      expect(res.body).toMatchObject({ passed: true })
    }
    const readIt = async () => {
      expect((await student.client.post('/api/step-ack', { class_id: reading.id })).status).toBe(200)
    }
    return {
      student: student.client,
      courseId: course.id as string,
      quizId: quiz.id as string,
      passQuiz,
      readIt,
    }
  }

  it('lists the XP, the level-up and the badges a passed quiz brought since the cursor, once', async () => {
    const { student, quizId, passQuiz } = await studentInCourse()
    const start = await student.get('/api/me/rewards')
    expect(start.status).toBe(200)
    expect(start.body).toMatchObject({ xp_gained: 0, entries: [], badges: [], xp: { total: 0 } })

    await passQuiz()
    const got = await student.get(`/api/me/rewards?after=${start.body.cursor}`)
    expect(got.status).toBe(200)
    // 50 for the quiz, 25 for a perfect first attempt, 10 and 25 for the badges Premier quiz and Perfectionniste.
    expect(got.body.xp_gained).toBe(110)
    expect(got.body.level_before).toBe(1)
    expect(got.body.xp).toMatchObject({ total: 110, level: { level: 2 } })
    expect(got.body.entries.map((e: { cause: string; points: number }) => [e.cause, e.points])).toEqual(
      expect.arrayContaining([
        ['quiz_passed', 50],
        ['perfect_quiz', 25],
        ['badge', 10],
        ['badge', 25],
      ]),
    )
    expect(got.body.entries.find((e: { cause: string }) => e.cause === 'quiz_passed').class_id).toBe(quizId)
    expect(got.body.badges.map((b: { key: string }) => b.key).sort()).toEqual(['first_quiz', 'perfectionist'])
    expect(Number(got.body.cursor)).toBeGreaterThan(Number(start.body.cursor))

    const again = await student.get(`/api/me/rewards?after=${got.body.cursor}`)
    expect(again.body).toMatchObject({ xp_gained: 0, entries: [], badges: [], xp: { total: 110 } })
    expect(again.body.level_before).toBe(2)
  })

  it('shows nothing again after a rebuild of the reactors that give XP and badges', async () => {
    const { student, passQuiz } = await studentInCourse()
    const start = await student.get('/api/me/rewards')
    await passQuiz()
    const { cursor } = (await student.get(`/api/me/rewards?after=${start.body.cursor}`)).body
    for (const reactor of [xpReactor(t), badgesReactor(t)]) {
      expect((await rebuildProjection(t.database.db, trackingEvents, reactor, t.clock)).failed).toBeNull()
    }
    const after = await student.get(`/api/me/rewards?after=${cursor}`)
    expect(after.body).toMatchObject({ xp_gained: 0, entries: [], badges: [], cursor })
  })

  it('refuses a cursor that is not one, and answers only students', async () => {
    const { student } = await studentInCourse()
    const bad = await student.get('/api/me/rewards?after=yesterday')
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('validation_failed')
    const admin = (await signedInMember(t, orgId, 'admin')).client
    expect((await admin.get('/api/me/rewards')).status).toBe(403)
  })

  it('recaps a finished course: the XP and badges its steps brought and the time on its steps', async () => {
    const { student, courseId, passQuiz, readIt } = await studentInCourse()
    await passQuiz()
    t.clock.advance(4 * 60_000)
    await readIt()
    const recap = await student.get(`/api/me/courses/${courseId}/recap`)
    expect(recap.status).toBe(200)
    expect(recap.body).toMatchObject({
      course_id: courseId,
      completed: true,
      completed_steps: 2,
      total_steps: 2,
    })
    // 110 for the quiz (see above), 100 for the course and 50 for the badge Parcours terminé.
    expect(recap.body.xp_earned).toBe(260)
    expect(recap.body.badges.map((b: { key: string }) => b.key)).toEqual(
      expect.arrayContaining(['first_quiz', 'perfectionist', 'course_complete']),
    )
    expect(recap.body.badges).toHaveLength(3)
    // The quiz was answered as it opened (no time known); the reading took the four minutes after it.
    expect(recap.body.time_spent_sec).toBe(240)
    expect(recap.body.completed_at).toBe(t.clock.now().toISOString())
  })

  it('recaps an unfinished course as far as it goes, and hides courses the student is not in', async () => {
    const { student, courseId } = await studentInCourse()
    const recap = await student.get(`/api/me/courses/${courseId}/recap`)
    expect(recap.body).toMatchObject({
      completed: false,
      completed_at: null,
      xp_earned: 0,
      badges: [],
      time_spent_sec: null,
    })
    const other = await studentInCourse()
    expect((await other.student.get(`/api/me/courses/${courseId}/recap`)).status).toBe(404)
    const admin = (await signedInMember(t, orgId, 'admin')).client
    expect((await admin.get(`/api/me/courses/${courseId}/recap`)).status).toBe(403)
  })
})
