// The progress module's public face: the progress projection, its signals, and where students are.
import type { ProgressTables } from './tables.ts'

export {
  CourseCompletedSignal,
  type QuestionOutcome,
  type QuizAttempted,
  type QuizAttemptedBody,
  QuizAttemptedSignal,
  type QuizPassed,
  QuizPassedSignal,
  StepCompletedSignal,
  VideoCompletedSignal,
} from './contract.ts'
export { userProgressProjector } from './projections/user-progress.ts'
export { evolve, type SignalDraft, type StepProgress, signalId } from './rules/evolve.ts'
export { creditPing, videoWatched } from './rules/video-credit.ts'
export { LearnerCourseSchema, LearnerGamificationSchema } from './schemas.ts'
export {
  type CourseProgressEntry,
  completedStepsOf,
  type LearnerDeps,
  learnerCourses,
  type ProgressDeps,
  progressOfCourses,
  progressOfPairs,
  progressOfStep,
  progressPort,
  signalSummary,
  stepActivityOf,
} from './service.ts'
export { type SignalType, signalTypes } from './tables.ts'

declare module '../../core/db/database.ts' {
  /** The tables the progress module owns. */
  interface Database extends ProgressTables {}
}
