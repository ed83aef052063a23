import { describe, expect, it } from 'vitest'
import { gradeQuiz, normaliseText, type Question, questionsForStudent } from './quiz.ts'

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

  it('scores zero for wrong, partial or missing answers and says why', () => {
    const grade = gradeQuiz(questions, { q1: 'a', q2: ['a'], q3: 'true', q5: 3.2 })
    expect(grade.score).toBe(0)
    expect(grade.ratio).toBe(0)
    expect(grade.results[0]).toEqual({
      question_id: 'q1',
      correct: false,
      points: 2,
      points_awarded: 0,
      correct_answer: 'b',
      explanation: 'Paris has been the capital since 987.',
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

describe('questions shown to a student', () => {
  it('carry neither the answer key nor the explanation', () => {
    const view = questionsForStudent(questions)
    const text = JSON.stringify(view)
    expect(text).not.toContain('answer')
    expect(text).not.toContain('explanation')
    expect(text).not.toContain('tolerance')
    expect(view[0]).toEqual({
      id: 'q1',
      type: 'single_choice',
      prompt: 'Capital of France?',
      points: 2,
      skills: ['geo'],
      choices: [
        { id: 'a', text: 'Lyon' },
        { id: 'b', text: 'Paris' },
      ],
    })
  })
})
