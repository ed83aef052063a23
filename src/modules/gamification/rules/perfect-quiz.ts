// "Perfect" is every point on the first attempt: a student who retries after seeing which answers were
// wrong has not shown a perfect quiz, even with every point the second time.

/** Whether a QUIZ_PASSED signal's payload is a perfect quiz: every point, at the first attempt. */
export function isPerfectQuiz(payload: Record<string, unknown>): boolean {
  const { score, max_score, attempts } = payload as { score?: number; max_score?: number; attempts?: number }
  return typeof max_score === 'number' && max_score > 0 && (score ?? 0) >= max_score && attempts === 1
}
