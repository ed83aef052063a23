import { describe, expect, it } from 'vitest'
import {
  arrangementOfAttempt,
  feedbackOf,
  gradeQuiz,
  normaliseText,
  type Question,
  questionsForStudent,
  revealsAnswers,
} from './quiz.ts'

const questions: Question[] = [
  {
    id: 'q1',
    type: 'single_choice',
    prompt: 'Capital of France?',
    choices: [
      { id: 'a', text: 'Lyon' },
      { id: 'b', text: 'Paris' },
    ],
    answer: 'b',
    points: 2,
    skills: ['geo'],
    explanation: 'Paris has been the capital since 987.',
    hint: 'Think of the Eiffel Tower.',
  },
  {
    id: 'q2',
    type: 'multiple_choice',
    prompt: 'Prime numbers?',
    choices: [
      { id: 'a', text: '2' },
      { id: 'b', text: '4' },
      { id: 'c', text: '5' },
    ],
    answer: ['a', 'c'],
    points: 3,
    skills: ['maths'],
  },
  { id: 'q3', type: 'true_false', prompt: 'The Earth is flat.', answer: false, points: 1, skills: [] },
  {
    id: 'q4',
    type: 'short_text',
    prompt: 'Largest land animal?',
    answer: ['éléphant', 'elephant d’Afrique'],
    points: 1,
    skills: [],
  },
  {
    id: 'q5',
    type: 'number',
    prompt: 'π to two decimals',
    answer: 3.14,
    tolerance: 0.01,
    points: 1,
    skills: [],
  },
]

describe('quiz grading', () => {
  it('gives full marks for right answers in every question type', () => {
    const grade = gradeQuiz(questions, { q1: 'b', q2: ['c', 'a'], q3: false, q4: '  ELEPHANT ', q5: '3,15' })
    expect(grade).toMatchObject({ score: 8, max_score: 8, ratio: 1 })
    expect(grade.results.every((r) => r.correct)).toBe(true)
  })

  it('scores zero for wrong, partial or missing answers', () => {
    const grade = gradeQuiz(questions, { q1: 'a', q2: ['a'], q3: 'true', q5: 3.2 })
    expect(grade.score).toBe(0)
    expect(grade.ratio).toBe(0)
    expect(grade.results[0]).toEqual({
      question_id: 'q1',
      correct: false,
      points: 2,
      points_awarded: 0,
    })
    expect(grade.results[3]?.correct).toBe(false)
  })

  it('ignores case, accents and spacing in short text', () => {
    expect(normaliseText('  Éléphant   d’Afrique ')).toBe('elephant d’afrique')
    expect(gradeQuiz([questions[3] as Question], { q4: 'Éléphant d’AFRIQUE' }).score).toBe(1)
  })

  it('accepts a number within the tolerance only', () => {
    const q = [questions[4] as Question]
    expect(gradeQuiz(q, { q5: 3.13 }).score).toBe(1)
    expect(gradeQuiz(q, { q5: 3.16 }).score).toBe(0)
    expect(gradeQuiz(q, { q5: 'pi' }).score).toBe(0)
  })

  it('weights the ratio by points', () => {
    expect(gradeQuiz(questions, { q1: 'b' }).ratio).toBeCloseTo(2 / 8)
  })
})

describe('feedback on an attempt', () => {
  const wrongFirst = gradeQuiz(questions, { q1: 'a', q2: ['a', 'c'], q3: false, q4: 'x', q5: 3 }).results

  it('says which answers were right and gives hints for the wrong ones, without the answer key', () => {
    const feedback = feedbackOf(questions, wrongFirst, false)
    expect(feedback[0]).toEqual({
      question_id: 'q1',
      correct: false,
      points: 2,
      points_awarded: 0,
      explanation: null,
      hint: 'Think of the Eiffel Tower.',
    })
    expect(feedback.map((f) => f.correct)).toEqual([false, true, true, false, false])
    expect(JSON.stringify(feedback)).not.toContain('correct_answer')
    expect(JSON.stringify(feedback)).not.toContain('987')
  })

  it('reveals the expected answers and explanations when asked to', () => {
    const feedback = feedbackOf(questions, wrongFirst, true)
    expect(feedback[0]).toMatchObject({
      correct_answer: 'b',
      explanation: 'Paris has been the capital since 987.',
    })
    expect(feedback[1]).toMatchObject({ correct_answer: ['a', 'c'], explanation: null, hint: null })
  })

  it('reveals only on a passed attempt, and never when the teacher says never', () => {
    expect(revealsAnswers('after_pass', false)).toBe(false)
    expect(revealsAnswers('after_pass', true)).toBe(true)
    expect(revealsAnswers('never', true)).toBe(false)
    expect(revealsAnswers('never', false)).toBe(false)
  })
})

describe('questions shown to a student', () => {
  it('carry neither the answer key, the explanation nor the hint', () => {
    const view = questionsForStudent(questions, 'student-1:step-1', 1)
    const text = JSON.stringify(view)
    expect(text).not.toContain('answer')
    expect(text).not.toContain('explanation')
    expect(text).not.toContain('Eiffel')
    expect(text).not.toContain('tolerance')
    expect(view.find((q) => q.id === 'q1')).toEqual({
      id: 'q1',
      type: 'single_choice',
      prompt: 'Capital of France?',
      points: 2,
      skills: ['geo'],
      choices: expect.arrayContaining([
        { id: 'a', text: 'Lyon' },
        { id: 'b', text: 'Paris' },
      ]),
    })
  })

  it('come in the same order for the same student, step and attempt', () => {
    expect(questionsForStudent(questions, 'student-1:step-1', 3)).toEqual(
      questionsForStudent(questions, 'student-1:step-1', 3),
    )
  })

  it('change order from one attempt to the next, questions and choices alike', () => {
    const orders = Array.from({ length: 30 }, (_, i) =>
      arrangementOfAttempt(questions, 'student-1:step-1', i + 1),
    )
    for (let i = 1; i < orders.length; i++) expect(orders[i]).not.toEqual(orders[i - 1])
    expect(new Set(orders.map((o) => o.order.join())).size).toBeGreaterThan(10)
    expect(new Set(orders.map((o) => o.choices.q2?.join())).size).toBeGreaterThan(3)
    expect(new Set(orders.map((o) => o.order[0])).size).toBe(questions.length)
  })

  it('differ between students on the same attempt', () => {
    const first = (student: string) => arrangementOfAttempt(questions, `${student}:step-1`, 1).order.join()
    const students = Array.from({ length: 20 }, (_, i) => first(`student-${i}`))
    expect(new Set(students).size).toBeGreaterThan(5)
  })

  it('differ on the next attempt even when a quiz has only two ways to be arranged', () => {
    const two = questions.slice(2, 4)
    const orders = Array.from(
      { length: 10 },
      (_, i) => arrangementOfAttempt(two, 'student-1:step-1', i + 1).order,
    )
    for (let i = 1; i < orders.length; i++) expect(orders[i]).not.toEqual(orders[i - 1])
  })

  it('keep every question and every choice, so grading by id scores the same in any order', () => {
    const view = questionsForStudent(questions, 'student-9:step-2', 4)
    expect(view.map((q) => q.id).sort()).toEqual(['q1', 'q2', 'q3', 'q4', 'q5'])
    const q2 = view.find((q) => q.id === 'q2')
    expect(q2?.choices?.map((c) => `${c.id}=${c.text}`).sort()).toEqual(['a=2', 'b=4', 'c=5'])
    const answers = { q1: 'b', q2: ['c', 'a'], q3: false, q4: 'elephant', q5: 3.14 }
    expect(gradeQuiz(questions, answers).score).toBe(8)
  })
})
