import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, createStudent, signedInMember } from '../../../test/helpers/factories.ts'
import { rebuildProjection, runProjector } from '../../core/events/projector.ts'
import { appendSignals, type NewSignal } from '../../core/events/signal-log.ts'
import { profilesOfUser } from '../identity/index.ts'
import { trackingEvents } from '../tracking/index.ts'
import {
  averageMasteryByCourse,
  courseMasteryOf,
  courseProgressOf,
  masteryReactors,
  skillMasteryOf,
  skillsSummary,
} from './index.ts'

const DAY = 86_400_000

type Result = {
  question_id: string
  correct: boolean
  points: number
  points_awarded: number
  skills: string[]
}
const answer = (question_id: string, correct: boolean, points = 1, skills: string[] = []): Result => ({
  question_id,
  correct,
  points,
  points_awarded: correct ? points : 0,
  skills,
})

describe.each(testDialects())('mastery on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let n = 0

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
  })
  afterAll(() => t.close())

  /** A QUIZ_ATTEMPTED signal as progress appends it (one per attempt, under the quiz event's id). */
  function attempted(
    studentId: string,
    where: { course: string; step: string },
    attempt: number,
    outcome: { results: Result[] } | { tally: [number, number] },
    at: string,
  ): NewSignal {
    n += 1
    const results = 'results' in outcome ? outcome.results : []
    const [score, max] =
      'tally' in outcome
        ? outcome.tally
        : [results.reduce((s, r) => s + r.points_awarded, 0), results.reduce((s, r) => s + r.points, 0)]
    return {
      id: `QUIZ_ATTEMPTED:${studentId}:event-${n}`,
      type: 'QUIZ_ATTEMPTED',
      org_id: orgId,
      student_id: studentId,
      course_id: where.course,
      class_id: where.step,
      occurred_at: at,
      source_event_ids: [`event-${n}`],
      payload: {
        source: 'tally' in outcome ? 'tally' : 'native',
        score,
        max_score: max,
        ratio: max === 0 ? 0 : score / max,
        passed: score / max >= 0.8,
        attempt,
        results,
      },
    }
  }

  async function emit(signals: NewSignal[]) {
    await t.database.db
      .transaction()
      .execute((trx) => appendSignals(trx, signals, t.clock.now().toISOString()))
    for (const reactor of masteryReactors()) {
      expect((await runProjector(t.database.db, trackingEvents, reactor, t.clock)).failed).toBeNull()
    }
  }

  /** Every stored mastery row of the school, in a stable order. */
  async function storedRows() {
    const db = t.database.db
    return {
      questions: await db
        .selectFrom('mastery_question')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('student_id')
        .orderBy('course_id')
        .orderBy('class_id')
        .orderBy('question_id')
        .execute(),
      courses: await db
        .selectFrom('v_course_mastery')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('student_id')
        .orderBy('course_id')
        .execute(),
      skills: await db
        .selectFrom('v_skill_mastery')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('student_id')
        .orderBy('skill')
        .execute(),
    }
  }

  const scoreOf = async (studentId: string, courseId: string) =>
    (await courseMasteryOf(t.mastery, orgId, studentId)).find((c) => c.course_id === courseId)

  it('counts a question right at the first attempt more than one right after retries', async () => {
    const course = { course: 'course-weights', step: 'step-1' }
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await createStudent(t, orgId)).studentId)
    const [first, second, third] = ids as [string, string, string]
    const s = (id: string) => id
    await emit([
      attempted(
        s(first),
        course,
        1,
        { results: [answer('q1', true, 2), answer('q2', true)] },
        '2026-11-22T10:00:00.000Z',
      ),
      attempted(
        s(second),
        course,
        1,
        { results: [answer('q1', false, 2), answer('q2', false)] },
        '2026-11-22T10:01:00.000Z',
      ),
      attempted(
        s(second),
        course,
        2,
        { results: [answer('q1', true, 2), answer('q2', true)] },
        '2026-11-22T10:02:00.000Z',
      ),
      attempted(
        s(third),
        course,
        1,
        { results: [answer('q1', true, 2), answer('q2', false)] },
        '2026-11-22T10:03:00.000Z',
      ),
      attempted(
        s(third),
        course,
        2,
        { results: [answer('q1', false, 2), answer('q2', false)] },
        '2026-11-22T10:04:00.000Z',
      ),
      attempted(
        s(third),
        course,
        3,
        { results: [answer('q1', true, 2), answer('q2', true)] },
        '2026-11-22T10:05:00.000Z',
      ),
    ])
    expect(await scoreOf(s(first), 'course-weights')).toMatchObject({
      score: 1,
      level: 'proficient',
      questions: 2,
      attempts: 1,
      last_attempt_at: '2026-11-22T10:00:00.000Z',
    })
    expect((await scoreOf(s(second), 'course-weights'))?.score).toBeCloseTo(0.6)
    // q1 (2 points) right at once keeps 1.0; q2 (1 point) right at the third attempt gets 0.4.
    expect(await scoreOf(s(third), 'course-weights')).toMatchObject({ attempts: 3, questions: 2 })
    expect((await scoreOf(s(third), 'course-weights'))?.score).toBeCloseTo((2 + 0.4) / 3)
    const [average] = (await averageMasteryByCourse(t.mastery, orgId)).filter(
      (a) => a.course_id === 'course-weights',
    )
    expect(average?.students).toBe(3)
    expect(average?.average_score).toBeCloseTo((1 + 0.6 + 0.8) / 3)
  })

  it('scores Tally attempts from their total, alongside native questions of the course', async () => {
    const { studentId } = await createStudent(t, orgId)
    const tally = { course: 'course-tally', step: 'step-tally' }
    await emit([
      attempted(studentId, tally, 1, { tally: [6, 10] }, '2026-11-22T11:00:00.000Z'),
      attempted(studentId, tally, 2, { tally: [9, 10] }, '2026-11-22T11:05:00.000Z'),
    ])
    // Best of 0.6 × 1.0 (first attempt) and 0.9 × 0.6 (second).
    expect((await scoreOf(studentId, 'course-tally'))?.score).toBeCloseTo(0.6)
    await emit([
      attempted(
        studentId,
        { ...tally, step: 'step-native' },
        1,
        { results: [answer('q1', true, 2, ['x'])] },
        '2026-11-22T11:10:00.000Z',
      ),
    ])
    expect((await scoreOf(studentId, 'course-tally'))?.score).toBeCloseTo((10 * 0.6 + 2) / 12)
    // A Tally total says nothing about skills: only the native question trained one.
    expect((await skillMasteryOf(t.mastery, orgId, studentId)).map((s) => s.skill)).toEqual(['x'])
  })

  it('builds skill levels from question results across courses, and lets them decay unpractised', async () => {
    const { studentId } = await createStudent(t, orgId)
    const algebra = { course: 'course-algebra', step: 'a1' }
    const physics = { course: 'course-physics', step: 'p1' }
    await emit([
      attempted(
        studentId,
        algebra,
        1,
        { results: [answer('q1', true, 1, ['equations']), answer('q2', false, 1, ['fractions'])] },
        '2026-11-23T09:00:00.000Z',
      ),
      attempted(
        studentId,
        physics,
        1,
        { results: [answer('q1', true, 3, ['equations', 'units'])] },
        '2026-11-24T09:00:00.000Z',
      ),
      attempted(
        studentId,
        algebra,
        2,
        { results: [answer('q1', true, 1, ['equations']), answer('q2', true, 1, ['fractions'])] },
        '2026-11-25T09:00:00.000Z',
      ),
    ])
    t.clock.set('2026-11-25T10:00:00.000Z')
    const skills = await skillMasteryOf(t.mastery, orgId, studentId)
    expect(
      skills.map(({ skill, level, attempts, correct, decayed }) => ({
        skill,
        level,
        attempts,
        correct,
        decayed,
      })),
    ).toEqual([
      { skill: 'equations', level: 'mastered', attempts: 3, correct: 3, decayed: false },
      { skill: 'fractions', level: 'familiar', attempts: 2, correct: 1, decayed: false },
      { skill: 'units', level: 'familiar', attempts: 1, correct: 1, decayed: false },
    ])
    expect(skills[0]).toMatchObject({ score: 1, last_practised_at: '2026-11-25T09:00:00.000Z' })
    expect((await skillsSummary(t.mastery, orgId, studentId)).levels).toEqual({
      attempted: 0,
      familiar: 2,
      proficient: 0,
      mastered: 1,
    })

    const before = await storedRows()
    t.clock.set(new Date(Date.parse('2026-11-25T09:00:00.000Z') + 28 * DAY))
    const later = await skillMasteryOf(t.mastery, orgId, studentId)
    expect(later.map((s) => [s.skill, s.level, s.decayed])).toEqual([
      ['equations', 'proficient', true],
      ['fractions', 'attempted', true],
      // units was last practised on the 24th: a full interval earlier.
      ['units', 'attempted', true],
    ])
    t.clock.advance(100 * DAY)
    expect((await skillMasteryOf(t.mastery, orgId, studentId)).map((s) => s.level)).toEqual([
      'attempted',
      'attempted',
      'attempted',
    ])
    expect(await storedRows()).toEqual(before)

    // Practising again restores the level the evidence supports.
    await emit([
      attempted(
        studentId,
        algebra,
        3,
        { results: [answer('q1', true, 1, ['equations'])] },
        t.clock.now().toISOString(),
      ),
    ])
    const equations = (await skillMasteryOf(t.mastery, orgId, studentId))[0]
    expect(equations).toMatchObject({ skill: 'equations', level: 'mastered', attempts: 4, decayed: false })
  })

  it('changes nothing when the same signal comes twice, or is applied twice', async () => {
    const { studentId } = await createStudent(t, orgId)
    const signal = attempted(
      studentId,
      { course: 'course-idem', step: 's1' },
      1,
      { results: [answer('q1', true, 1, ['idem']), answer('q2', false, 1, ['idem'])] },
      '2026-11-26T09:00:00.000Z',
    )
    await emit([signal])
    const once = await storedRows()
    await emit([signal])
    expect(await storedRows()).toEqual(once)
    const [stored] = await t.database.db
      .selectFrom('lms_signal')
      .select('seq')
      .where('id', '=', signal.id)
      .execute()
    await t.database.db.transaction().execute(async (trx) => {
      for (const reactor of masteryReactors())
        await reactor.apply(trx, [{ ...signal, seq: Number(stored?.seq) }])
    })
    expect(await storedRows()).toEqual(once)
    expect(await scoreOf(studentId, 'course-idem')).toMatchObject({ score: 0.5, attempts: 1 })
    expect((await skillMasteryOf(t.mastery, orgId, studentId))[0]).toMatchObject({ attempts: 2, correct: 1 })
  })

  it('rebuilds identical rows by replaying the signal log', async () => {
    const before = await storedRows()
    expect(before.courses.length).toBeGreaterThan(5)
    for (const reactor of masteryReactors()) {
      expect((await rebuildProjection(t.database.db, trackingEvents, reactor, t.clock)).failed).toBeNull()
    }
    expect(await storedRows()).toEqual(before)
  })

  describe('through the API', () => {
    let author: Awaited<ReturnType<typeof signedInMember>>
    let student: Awaited<ReturnType<typeof signedInMember>>
    let studentId: string
    let courseId: string
    let steps: { quiz: string; reading: string }

    beforeAll(async () => {
      author = await signedInMember(t, orgId, 'instructor')
      student = await signedInMember(t, orgId, 'student')
      studentId = (await profilesOfUser(t.identity, orgId, student.userId)).studentId as string
      const course = await author.client.post('/api/lms/courses', {
        name: 'Astronomy',
        student_ids: [studentId],
      })
      courseId = course.body.id
      const add = async (step: object) => {
        const res = await author.client.post('/api/lms/classes', { course_id: courseId, ...step })
        expect(res.status, JSON.stringify(res.body)).toBe(201)
        return res.body.id as string
      }
      steps = {
        quiz: await add({
          name: 'Quiz',
          step_type: 'quiz',
          quiz: {
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
                skills: ['planets'],
              },
              {
                id: 'q2',
                type: 'number',
                prompt: 'How many planets?',
                answer: 8,
                points: 4,
                skills: ['counting'],
              },
            ],
          },
        }),
        reading: await add({ name: 'Read', step_type: 'reading', content_md: 'Text' }),
      }
      expect((await author.client.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
    })

    it('shows a student their own progress, course mastery and skills from the quizzes they took', async () => {
      t.clock.set('2026-12-01T09:00:00.000Z')
      const empty = await student.client.get('/api/me/mastery')
      expect(empty.status).toBe(200)
      expect(empty.body).toMatchObject({
        student_id: studentId,
        courses: [
          {
            course_id: courseId,
            title: 'Astronomy',
            progress: { completed_steps: 0, total_steps: 2, ratio: 0, started_at: null, completed_at: null },
            score: null,
            level: null,
          },
        ],
        skills: [],
      })

      const failed = await student.client.post('/api/quiz-submission', {
        class_id: steps.quiz,
        answers: { q1: 'a', q2: 7 },
      })
      expect(failed.body).toMatchObject({ passed: false, attempts: 1 })
      t.clock.set('2026-12-01T09:10:00.000Z')
      const passed = await student.client.post('/api/quiz-submission', {
        class_id: steps.quiz,
        answers: { q1: 'a', q2: 8 },
      })
      expect(passed.body).toMatchObject({ passed: true, attempts: 2 })

      const mine = (await student.client.get('/api/me/mastery')).body
      const [course] = mine.courses
      expect(course.progress).toEqual({
        completed_steps: 1,
        total_steps: 2,
        ratio: 0.5,
        started_at: '2026-12-01T09:00:00.000Z',
        completed_at: null,
      })
      // q1 (1 point) right at once, q2 (4 points) right at the second attempt.
      expect(course.score).toBeCloseTo((1 + 4 * 0.6) / 5)
      expect(course).toMatchObject({ level: 'familiar', questions: 2 })
      expect(mine.skills).toEqual([
        expect.objectContaining({
          skill: 'counting',
          attempts: 2,
          correct: 1,
          level: 'familiar',
          decayed: false,
        }),
        expect.objectContaining({
          skill: 'planets',
          score: 1,
          attempts: 2,
          level: 'proficient',
          last_practised_at: '2026-12-01T09:10:00.000Z',
        }),
      ])
      expect(mine.skills_summary).toEqual({ attempted: 0, familiar: 1, proficient: 1, mastered: 0 })

      t.clock.set('2026-12-02T08:00:00.000Z')
      expect((await student.client.post('/api/step-ack', { class_id: steps.reading })).status).toBe(200)
      expect(await courseProgressOf(t.mastery, orgId, studentId)).toEqual([
        {
          course_id: courseId,
          title: 'Astronomy',
          completed_steps: 2,
          total_steps: 2,
          ratio: 1,
          started_at: '2026-12-01T09:00:00.000Z',
          completed_at: '2026-12-02T08:00:00.000Z',
        },
      ])
    })

    it('lets staff of the school read a student, and nobody else', async () => {
      const own = (await student.client.get('/api/me/mastery')).body
      const asInstructor = await author.client.get(`/api/students/${studentId}/mastery`)
      expect(asInstructor.status).toBe(200)
      expect(asInstructor.body).toEqual(own)
      const support = await signedInMember(t, orgId, 'support')
      expect((await support.client.get(`/api/students/${studentId}/mastery`)).status).toBe(200)

      const classmate = await signedInMember(t, orgId, 'student')
      expect((await classmate.client.get(`/api/students/${studentId}/mastery`)).status).toBe(403)
      expect((await classmate.client.get('/api/me/mastery')).body).toMatchObject({ courses: [], skills: [] })
      const notStudent = await author.client.get('/api/me/mastery')
      expect(notStudent.status).toBe(403)
      expect(notStudent.body.error.code).toBe('not_a_student')

      const otherSchool = await createOrg(t)
      const otherAdmin = await signedInMember(t, otherSchool.id, 'admin')
      const foreign = await otherAdmin.client.get(`/api/students/${studentId}/mastery`)
      expect(foreign.status).toBe(404)
      expect(foreign.body.error.code).toBe('not_found')
    })

    it("feeds the school overview's average mastery", async () => {
      const admin = await signedInMember(t, orgId, 'admin')
      const overview = await admin.client.get('/api/admin/overview')
      expect(overview.status).toBe(200)
      expect(overview.body.average_mastery).toContainEqual({
        course_id: courseId,
        name: 'Astronomy',
        students: 1,
        average_score: (1 + 4 * 0.6) / 5,
      })
    })
  })
})
