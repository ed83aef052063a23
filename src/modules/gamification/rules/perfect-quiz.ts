import type { QuizPassed } from '../../progress/index.ts'

// "Perfect" is every point on the first attempt: a student who retries after seeing which answers were
// wrong has not shown a perfect quiz, even with every point the second time.

/** Whether a QUIZ_PASSED signal's payload is a perfect quiz: every point, at the first attempt. */
export function isPerfectQuiz({
  score,
  max_score,
  attempts,
}: Pick<QuizPassed, 'score' | 'max_score' | 'attempts'>) {
  return max_score > 0 && score >= max_score && attempts === 1
}
