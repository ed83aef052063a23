import type { QuizAttempted } from '../../progress/index.ts'
import { shareAwarded } from './quiz-attempt.ts'

// Course mastery: how much of what a course's quizzes asked the student knew, weighted by question points,
// where knowing it on the first attempt counts more than getting it right after seeing the corrections.
//
// - An attempt's credit on a question is `attemptWeight(attempt) × share of its points awarded`:
//   attempt 1 counts 1.0, attempt 2 counts 0.6, attempt 3 and later 0.4.
// - A question keeps its best credit over all attempts (a later wrong answer does not undo a right one:
//   steps close once passed, so later attempts only happen on a failed quiz).
// - The course score is Σ points × best credit / Σ points over the questions the student has answered
//   (not yet reached questions are progress's business, not mastery's).
// - A Tally quiz reports only a total: it counts as one question worth `max_score` points.
// Every operation is a max or a sum over signals in `seq` order, so replays give the same rows.

/** Weight of a right answer by attempt number: index 0 is the first attempt; the last weight repeats. */
const attemptWeights = [1, 0.6, 0.4] as const

export function attemptWeight(attempt: number): number {
  const index = Math.min(Math.max(1, Math.floor(attempt)), attemptWeights.length) - 1
  return attemptWeights[index] ?? 0
}

/** The question id under which a Tally quiz (or a native one without per-question results) is kept. */
export const WHOLE_QUIZ = '*'

/** What one attempt says about one question: its points and the weighted credit earned, in [0, 1]. */
export type QuestionEvidence = { question_id: string; points: number; credit: number }

export function evidenceOfAttempt(
  attempt: Pick<QuizAttempted, 'attempt' | 'results' | 'score' | 'max_score'>,
): QuestionEvidence[] {
  const weight = attemptWeight(attempt.attempt)
  if (attempt.results.length > 0) {
    return attempt.results
      .filter((r) => r.points > 0)
      .map((r) => ({ question_id: r.question_id, points: r.points, credit: weight * shareAwarded(r) }))
  }
  if (attempt.max_score <= 0) return []
  const share = Math.min(1, Math.max(0, attempt.score / attempt.max_score))
  return [{ question_id: WHOLE_QUIZ, points: attempt.max_score, credit: weight * share }]
}

export type QuestionState = {
  /** The question's points at the latest attempt (an instructor may have changed them). */
  points: number
  attempts: number
  best_credit: number
  /** The last signal applied: a signal at or before it is already counted. */
  last_seq: number
  updated_at: string
}

/** The question after one more attempt; `null` when that signal was already applied. */
export function recordEvidence(
  previous: QuestionState | null,
  evidence: QuestionEvidence,
  signal: { seq: number; occurred_at: string },
): QuestionState | null {
  if (previous && signal.seq <= previous.last_seq) return null
  return {
    points: evidence.points,
    attempts: (previous?.attempts ?? 0) + 1,
    best_credit: Math.max(previous?.best_credit ?? 0, evidence.credit),
    last_seq: signal.seq,
    updated_at: signal.occurred_at,
  }
}

/** The course score in [0, 1] from its questions' best credits; 0 when no question is worth anything. */
export function courseScore(questions: Pick<QuestionState, 'points' | 'best_credit'>[]): number {
  let points = 0
  let earned = 0
  for (const q of questions) {
    points += q.points
    earned += q.points * q.best_credit
  }
  return points > 0 ? earned / points : 0
}
