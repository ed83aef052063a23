import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { profilesOfUser } from '../identity/index.ts'

// What a quiz attempt tells the student: right or wrong and the hints while the quiz is open, the answer key
// and explanations once it is passed (or never, when the teacher says so).

const questions = [
  {
    id: 'red',
    type: 'single_choice',
    prompt: 'Which planet is red?',
    choices: [
      { id: 'mars', text: 'Mars' },
      { id: 'venus', text: 'Venus' },
      { id: 'saturn', text: 'Saturn' },
    ],
    answer: 'mars',
    explanation: 'Mars is red: iron oxide covers it.',
    hint: 'Look at the colour of rust.',
  },
  {
    id: 'count',
    type: 'number',
    prompt: 'How many planets?',
    answer: 8,
    explanation: 'Eight since 2006.',
    hint: 'Pluto no longer counts.',
  },
  {
    id: 'gas',
    type: 'multiple_choice',
    prompt: 'Gas giants?',
    choices: [
      { id: 'j', text: 'Jupiter' },
      { id: 's', text: 'Saturn' },
      { id: 'e', text: 'Earth' },
      { id: 'm', text: 'Mercury' },
    ],
    answer: ['j', 's'],
  },
  { id: 'flat', type: 'true_false', prompt: 'The Earth is flat.', answer: false },
]
const right = { red: 'mars', count: 8, gas: ['s', 'j'], flat: false }
const wrong = { red: 'venus', count: 9, gas: ['s', 'j'], flat: false }

describe.each(testDialects())('the answer key of a quiz on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let author: TestClient

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    author = (await signedInMember(t, orgId, 'instructor')).client
  })
  afterAll(() => t.close())

  /** A published one-quiz course and an enrolled, signed-in student. */
  async function quizCourse(quiz: object = { questions }) {
    const student = await signedInMember(t, orgId, 'student')
    const { studentId } = await profilesOfUser(t.identity, orgId, student.userId)
    const course = (await author.post('/api/lms/courses', { name: 'Planets', student_ids: [studentId] })).body
    const step = await author.post('/api/lms/classes', {
      course_id: course.id,
      name: 'Quiz',
      step_type: 'quiz',
      quiz,
    })
    expect(step.status, JSON.stringify(step.body)).toBe(201)
    expect((await author.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
    return { client: student.client, courseId: course.id as string, classId: step.body.id as string }
  }

  const submit = (client: TestClient, classId: string, answers: object, eventId?: string) =>
    client.post('/api/quiz-submission', { class_id: classId, answers, event_id: eventId })

  it('tells a failed attempt which answers were wrong and their hints, never the expected answers', async () => {
    const { client, classId } = await quizCourse()
    const failed = await submit(client, classId, wrong)
    expect(failed.status).toBe(200)
    expect(failed.body).toMatchObject({
      passed: false,
      reveal_answers: 'after_pass',
      answers_revealed: false,
    })
    expect(failed.body.results).toEqual([
      {
        question_id: 'red',
        correct: false,
        points: 1,
        points_awarded: 0,
        explanation: null,
        hint: 'Look at the colour of rust.',
        skills: [],
      },
      {
        question_id: 'count',
        correct: false,
        points: 1,
        points_awarded: 0,
        explanation: null,
        hint: 'Pluto no longer counts.',
        skills: [],
      },
      {
        question_id: 'gas',
        correct: true,
        points: 1,
        points_awarded: 1,
        explanation: null,
        hint: null,
        skills: [],
      },
      {
        question_id: 'flat',
        correct: true,
        points: 1,
        points_awarded: 1,
        explanation: null,
        hint: null,
        skills: [],
      },
    ])
    const text = JSON.stringify(failed.body)
    expect(text).not.toContain('correct_answer')
    expect(text).not.toContain('iron oxide')
    expect(text).not.toContain('2006')
  })

  it('reveals the answers and explanations with the passing attempt, and a resent attempt answers as it did', async () => {
    const { client, classId } = await quizCourse()
    const failedId = crypto.randomUUID()
    const failed = await submit(client, classId, wrong, failedId)
    expect(failed.body, JSON.stringify(failed.body)).toMatchObject({ answers_revealed: false })
    const passedId = crypto.randomUUID()
    const passed = await submit(client, classId, right, passedId)
    expect(passed.body).toMatchObject({ passed: true, answers_revealed: true, attempts: 2 })
    expect(passed.body.results[0]).toMatchObject({
      question_id: 'red',
      correct: true,
      correct_answer: 'mars',
      explanation: 'Mars is red: iron oxide covers it.',
      hint: null,
    })
    expect(passed.body.results[2]).toMatchObject({ correct_answer: ['j', 's'], explanation: null })

    // The step is passed now, but the failed attempt, resent after a lost response, still shows no key.
    const resentFailure = await submit(client, classId, wrong, failedId)
    expect(resentFailure.status).toBe(200)
    expect(resentFailure.body).toMatchObject({ event_id: failedId, passed: false, answers_revealed: false })
    expect(JSON.stringify(resentFailure.body)).not.toContain('correct_answer')
    const resentPass = await submit(client, classId, right, passedId)
    expect(resentPass.body).toMatchObject({ event_id: passedId, passed: true, answers_revealed: true })
    expect(resentPass.body.results[0].correct_answer).toBe('mars')
  })

  it('never reveals the answers of a quiz whose teacher chose never, even once passed', async () => {
    const { client, courseId, classId } = await quizCourse({ reveal_answers: 'never', questions })
    const step = await author.get(`/api/lms/classes/${classId}`)
    expect(step.body.quiz).toMatchObject({ kind: 'native', reveal_answers: 'never' })
    const view = (await client.get(`/api/me/courses/${courseId}`)).body
    expect(view.steps[0].content.quiz.reveal_answers).toBe('never')

    const failed = await submit(client, classId, wrong)
    expect(failed.body).toMatchObject({ reveal_answers: 'never', answers_revealed: false })
    expect(failed.body.results[0].hint).toBe('Look at the colour of rust.')
    const almost = await submit(client, classId, { ...right, count: 7 })
    expect(almost.body).toMatchObject({ passed: false, answers_revealed: false })
    const allRight = await submit(client, classId, right)
    expect(allRight.body).toMatchObject({ passed: true, reveal_answers: 'never', answers_revealed: false })
    const text = JSON.stringify(allRight.body)
    expect(text).not.toContain('correct_answer')
    expect(text).not.toContain('iron oxide')
  })

  it('keeps the choice of never through a change of the quiz, an export and an import', async () => {
    const { courseId, classId } = await quizCourse({ reveal_answers: 'never', questions })
    const exported = (await author.get(`/api/lms/courses/${courseId}/export`)).body
    expect(exported.steps[0].quiz).toMatchObject({ reveal_answers: 'never' })
    const imported = await author.post('/api/lms/courses/import', exported)
    expect(imported.status).toBe(201)
    const steps = (await author.get(`/api/lms/classes?course_id=${imported.body.id}`)).body
    expect(steps[0].quiz.reveal_answers).toBe('never')
    const back = await author.patch(`/api/lms/classes/${classId}`, {
      quiz: { reveal_answers: 'after_pass', questions },
    })
    expect(back.body.quiz.reveal_answers).toBe('after_pass')
    const bad = await author.patch(`/api/lms/classes/${classId}`, {
      quiz: { reveal_answers: 'sometimes', questions },
    })
    expect(bad.status).toBe(400)
  })

  it('serves the questions and choices in another order at each attempt, the same on a reload', async () => {
    const { client, courseId, classId } = await quizCourse()
    const arrangement = async () => {
      const quiz = (await client.get(`/api/me/courses/${courseId}`)).body.steps[0].content.quiz
      return quiz.questions.map((q: { id: string; choices?: { id: string }[] }) =>
        [q.id, ...(q.choices ?? []).map((c) => c.id)].join(','),
      ) as string[]
    }
    const seen: string[][] = []
    for (let attempt = 1; attempt <= 4; attempt++) {
      const shown = await arrangement()
      expect(await arrangement()).toEqual(shown)
      expect([...shown].map((q) => q.split(',')[0]).sort()).toEqual(['count', 'flat', 'gas', 'red'])
      if (seen.length > 0) expect(shown).not.toEqual(seen[seen.length - 1])
      seen.push(shown)
      // Scores follow ids, not positions: the same answers score the same in any order.
      const res = await submit(client, classId, { ...wrong, gas: ['j'] })
      expect(res.body).toMatchObject({ score: 1, attempts: attempt })
    }
  })
})
