import { signalContract } from '../../../core/events/signal-log.ts'
import { type QuestionOutcome, QuizAttemptedSignal } from '../../progress/index.ts'

/** What mastery reacts to: the QUIZ_ATTEMPTED signals progress writes, one per attempt. */
export const quizAttempts = signalContract(QuizAttemptedSignal)

/** The share of a question's points that were awarded, in [0, 1] (native questions are all or nothing). */
export function shareAwarded(result: Pick<QuestionOutcome, 'points' | 'points_awarded'>): number {
  if (result.points <= 0) return 0
  return Math.min(1, Math.max(0, result.points_awarded / result.points))
}
