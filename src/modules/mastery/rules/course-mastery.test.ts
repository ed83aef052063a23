import { describe, expect, it } from 'vitest'
import { decodeSignals, type StoredSignal } from '../../../core/events/signal-log.ts'
import {
  attemptWeight,
  courseScore,
  evidenceOfAttempt,
  type QuestionState,
  recordEvidence,
  WHOLE_QUIZ,
} from './course-mastery.ts'
import { masteryLevel } from './levels.ts'
import { quizAttempts } from './quiz-attempt.ts'

const result = (question_id: string, correct: boolean, points = 1, skills: string[] = []) => ({
  question_id,
  correct,
  points,
  points_awarded: correct ? points : 0,
  skills,
})

const native = (attempt: number, results: ReturnType<typeof result>[]) => ({
  source: 'native' as const,
  score: results.reduce((s, r) => s + r.points_awarded, 0),
  max_score: results.reduce((s, r) => s + r.points, 0),
  attempt,
  results,
})

/** Plays attempts in order and returns each question's state. */
function play(attempts: ReturnType<typeof native>[]) {
  const questions = new Map<string, QuestionState>()
  attempts.forEach((attempt, i) => {
    for (const evidence of evidenceOfAttempt(attempt)) {
      const next = recordEvidence(questions.get(evidence.question_id) ?? null, evidence, {
        seq: i + 1,
        occurred_at: `2026-11-22T10:0${i}:00.000Z`,
      })
      if (next) questions.set(evidence.question_id, next)
    }
  })
  return questions
}

describe('course mastery', () => {
  it('weighs a right answer 1.0 on the first attempt, 0.6 on the second, 0.4 from the third on', () => {
    expect([1, 2, 3, 4, 10].map(attemptWeight)).toEqual([1, 0.6, 0.4, 0.4, 0.4])
  })

  it('ranks a question right at once above the same question right after a retry', () => {
    const first = courseScore([...play([native(1, [result('q1', true)])]).values()])
    const retried = courseScore([
      ...play([native(1, [result('q1', false)]), native(2, [result('q1', true)])]).values(),
    ])
    expect(first).toBe(1)
    expect(retried).toBeCloseTo(0.6)
    expect(first).toBeGreaterThan(retried)
  })

  it('weights questions by their points and keeps the best credit of each', () => {
    const questions = play([
      native(1, [result('q1', true, 3), result('q2', false, 1)]),
      native(2, [result('q1', false, 3), result('q2', true, 1)]),
    ])
    expect(questions.get('q1')).toMatchObject({ attempts: 2, best_credit: 1 })
    expect(questions.get('q2')).toMatchObject({ attempts: 2, best_credit: 0.6 })
    expect(courseScore([...questions.values()])).toBeCloseTo((3 * 1 + 1 * 0.6) / 4)
  })

  it('counts a Tally attempt as one question worth its maximum score', () => {
    const attempt = { source: 'tally' as const, score: 6, max_score: 10, attempt: 2, results: [] }
    expect(evidenceOfAttempt(attempt)).toEqual([{ question_id: WHOLE_QUIZ, points: 10, credit: 0.6 * 0.6 }])
    expect(evidenceOfAttempt({ ...attempt, max_score: 0, score: 0 })).toEqual([])
  })

  it('ignores an attempt it already applied', () => {
    const evidence = { question_id: 'q1', points: 1, credit: 1 }
    const once = recordEvidence(null, evidence, { seq: 5, occurred_at: '2026-11-22T10:00:00.000Z' })
    expect(once).toMatchObject({ attempts: 1, last_seq: 5 })
    expect(recordEvidence(once, evidence, { seq: 5, occurred_at: '2026-11-22T10:00:00.000Z' })).toBeNull()
  })

  it('reads progress payloads and refuses what it cannot understand', () => {
    const attempted = (payload: Record<string, unknown>): StoredSignal => ({
      id: 'QUIZ_ATTEMPTED:s1:e1',
      seq: 1,
      type: 'QUIZ_ATTEMPTED',
      org_id: 'org-1',
      student_id: 's1',
      course_id: 'c1',
      class_id: 'step-1',
      occurred_at: '2026-11-22T10:00:00.000Z',
      source_event_ids: ['e1'],
      payload,
    })
    const tally = {
      source: 'tally',
      score: 4,
      max_score: 5,
      ratio: 0.8,
      passed: true,
      attempt: 1,
      results: [],
    }
    expect(decodeSignals(quizAttempts, [attempted(tally)])[0]?.payload).toMatchObject({ score: 4 })
    expect(() => decodeSignals(quizAttempts, [attempted({ source: 'native', score: 'a lot' })])).toThrow()
  })

  it('needs more evidence for higher levels', () => {
    expect(masteryLevel(1, 1)).toBe('familiar')
    expect(masteryLevel(1, 2)).toBe('proficient')
    expect(masteryLevel(0.9, 3)).toBe('mastered')
    expect(masteryLevel(0.89, 10)).toBe('proficient')
    expect(masteryLevel(0.74, 10)).toBe('familiar')
    expect(masteryLevel(0.49, 10)).toBe('attempted')
  })
})
