import { z } from 'zod'

// The QUIZ_ATTEMPTED payload as progress writes it (one signal per attempt). Mastery reads it leniently:
// a signal it cannot understand adds no evidence rather than stopping the reactor for every school.

const QuestionResult = z.object({
  question_id: z.string(),
  correct: z.boolean(),
  points: z.number(),
  points_awarded: z.number(),
  skills: z.array(z.string()).default([]),
})

const QuizAttempted = z.object({
  source: z.enum(['native', 'tally']),
  score: z.number(),
  max_score: z.number(),
  attempt: z.number().int().min(1),
  /** Per question for native quizzes; empty for Tally, which only reports a total. */
  results: z.array(QuestionResult).default([]),
})

export type QuizAttempt = z.infer<typeof QuizAttempted>
export type QuestionOutcome = z.infer<typeof QuestionResult>

export function readQuizAttempt(payload: Record<string, unknown>): QuizAttempt | null {
  const parsed = QuizAttempted.safeParse(payload)
  return parsed.success ? parsed.data : null
}

/** The share of a question's points that were awarded, in [0, 1] (native questions are all or nothing). */
export function shareAwarded(result: Pick<QuestionOutcome, 'points' | 'points_awarded'>): number {
  if (result.points <= 0) return 0
  return Math.min(1, Math.max(0, result.points_awarded / result.points))
}
