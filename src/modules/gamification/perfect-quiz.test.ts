import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { profilesOfUser } from '../identity/index.ts'
import { trackingEvents } from '../tracking/index.ts'
import { badgesReactor } from './projections/badges.ts'
import { xpReactor } from './projections/xp.ts'

// A perfect quiz is every point at the first attempt: a retry after seeing which answers were wrong is not.

const quiz = {
  questions: [
    {
      id: 'q1',
      type: 'single_choice',
      prompt: 'Which planet is red?',
      choices: [
        { id: 'a', text: 'Mars' },
        { id: 'b', text: 'Venus' },
      ],
      answer: 'a',
    },
    { id: 'q2', type: 'true_false', prompt: 'The Sun is a star.', answer: true },
  ],
}

describe.each(testDialects())('perfect quizzes on %s', (dialect) => {
  let t: TestApp
  let orgId: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
  })
  afterAll(() => t.close())

  async function studentOnQuiz() {
    const author = (await signedInMember(t, orgId, 'instructor')).client
    const student = await signedInMember(t, orgId, 'student')
    const studentId = (await profilesOfUser(t.identity, orgId, student.userId)).studentId as string
    const course = (await author.post('/api/lms/courses', { name: 'Quiz', student_ids: [studentId] })).body
    const step = (
      await author.post('/api/lms/classes', { course_id: course.id, name: 'Q', step_type: 'quiz', quiz })
    ).body
    expect((await author.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
    const submit = async (answers: object) => {
      const res = await student.client.post('/api/quiz-submission', { class_id: step.id, answers })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      return res.body
    }
    return { studentId, submit }
  }

  async function rewards(studentId: string) {
    const xp = await t.database.db
      .selectFrom('xp_ledger')
      .select('cause')
      .where('org_id', '=', orgId)
      .where('student_id', '=', studentId)
      .execute()
    const badges = await t.database.db
      .selectFrom('gamification_award as a')
      .innerJoin('gamification_badge as b', 'b.id', 'a.badge_id')
      .select('b.code')
      .where('a.org_id', '=', orgId)
      .where('a.student_id', '=', studentId)
      .execute()
    return { xp: xp.map((e) => e.cause).sort(), badges: badges.map((b) => b.code).sort() }
  }

  it('pays the perfect bonus and the Perfectionniste badge for every point at the first attempt', async () => {
    const { studentId, submit } = await studentOnQuiz()
    expect(await submit({ q1: 'a', q2: true })).toMatchObject({ passed: true, ratio: 1, attempts: 1 })
    const got = await rewards(studentId)
    expect(got.xp).toContain('perfect_quiz')
    expect(got.badges).toContain('perfectionist')
  })

  it('pays a perfect retry as a passed quiz only, and a rebuild agrees', async () => {
    const { studentId, submit } = await studentOnQuiz()
    expect(await submit({ q1: 'b', q2: false })).toMatchObject({ passed: false })
    expect(await submit({ q1: 'a', q2: true })).toMatchObject({ passed: true, ratio: 1, attempts: 2 })
    const got = await rewards(studentId)
    expect(got.xp).toContain('quiz_passed')
    expect(got.xp).not.toContain('perfect_quiz')
    expect(got.badges).toContain('first_quiz')
    expect(got.badges).not.toContain('perfectionist')

    for (const reactor of [xpReactor(t), badgesReactor(t)]) {
      expect((await rebuildProjection(t.database.db, trackingEvents, reactor, t.clock)).failed).toBeNull()
    }
    expect(await rewards(studentId)).toEqual(got)
  })
})
