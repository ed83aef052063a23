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
export { progressPrivacy } from './privacy.ts'
export { userProgressProjector } from './projections/user-progress.ts'
export { signalId } from './rules/evolve.ts'

export { LearnerCourseSchema, LearnerGamificationSchema } from './schemas.ts'
export {
  type CourseProgressEntry,
  learnerCourses,
  type ProgressDeps,
  progressOfCourses,
  progressPort,
  signalSummary,
  stepActivityOf,
} from './service.ts'

declare module '../../core/db/database.ts' {
  /** The tables the progress module owns. */
  interface Database extends ProgressTables {}
}
