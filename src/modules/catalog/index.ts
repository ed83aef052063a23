// The catalog module's public face: courses (learning paths), steps, quizzes, KMS, teams and enrolments,
// and the Cloudflare Stream client for step videos.
import type { CatalogTables } from './tables.ts'

export { CaptionSchema } from './captions/schemas.ts'
export {
  createStreamSigner,
  StreamError,
  type StreamSigner,
  uploadToStream,
} from './cloudflare-stream.ts'
export type { CourseView } from './courses/presenters.ts'
export { CreateCourseBody } from './courses/schemas.ts'
export {
  type CourseInput,
  createCourse,
  deleteCourse,
  getCourse,
  listCourses,
  publishCourse,
  updateCourse,
} from './courses/service.ts'
export {
  type CatalogDeps,
  type PlanLimitsPort,
  type ProgressPort,
  unlimitedPlan,
} from './deps.ts'
export { KmsResourceSchema } from './kms/schemas.ts'
export { listKms } from './kms/service.ts'
export { PlaybackSchema } from './playback/schemas.ts'
export { playbackOf } from './playback/service.ts'
export { catalogPrivacy } from './privacy.ts'
export {
  type CourseOutline,
  captionsOfSteps,
  courseOutlines,
  coursesOfSteps,
  coursesOfStudent,
  enrolledAmong,
  enrolmentsOf,
  isCourseInstructor,
  isEnrolled,
  type LearnerPath,
  type LearnerStep,
  learnerPath,
  peopleOfCourse,
  type TallyStep,
  tallyStepsAmong,
  tallyStepsOfForm,
  teamStudentIds,
  teamsByIds,
  teamsNamed,
  teamsOfStudents,
} from './queries.ts'
export {
  feedbackOf,
  gradeQuiz,
  type Question,
  type QuestionFeedback,
  questionsForStudent,
  type RevealAnswers,
  revealsAnswers,
} from './rules/quiz.ts'
export type { TallyMapping } from './rules/steps.ts'
export { readTallyStudentToken, tallyStudentToken } from './rules/tally-token.ts'
export { MediaSchema } from './schemas.ts'
export type { ClassView } from './steps/presenters.ts'
export { CreateClassBody } from './steps/schemas.ts'
export {
  createClass,
  deleteClass,
  getClass,
  listClasses,
  updateClass,
} from './steps/service.ts'
export { createTeam, createTeamsIn, joinTeamIn } from './teams/service.ts'
export { CourseDocumentSchema } from './transfer/schemas.ts'
export {
  exportCourse,
  importIntoOrganisation,
  organisationOfCourse,
} from './transfer/service.ts'

declare module '../../core/db/database.ts' {
  /** The tables the catalog module owns. */
  interface Database extends CatalogTables {}
}
