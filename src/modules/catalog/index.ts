// The catalog module's public face: courses (learning paths), steps, quizzes, KMS, teams and enrolments,
// and the Cloudflare Stream client for step videos.

export {
  createStreamSigner,
  type StreamApi,
  StreamError,
  type StreamSigner,
  type StreamSigningKey,
  type StreamUpload,
  type UploadedVideo,
  uploadToStream,
} from './cloudflare-stream.ts'
export { catalogRoutes } from './routes.ts'
export {
  feedbackOf,
  gradeQuiz,
  type Question,
  type QuestionFeedback,
  type QuizGrade,
  questionsForStudent,
  type RevealAnswers,
  revealsAnswers,
} from './rules/quiz.ts'
export type { QuizDefinition, TallyMapping, Video } from './rules/steps.ts'
export { readTallyStudentToken, tallyStudentToken } from './rules/tally-token.ts'
export { CourseDocumentSchema, KmsResourceSchema, PlaybackSchema } from './schemas.ts'
export {
  type CatalogDeps,
  type CourseDocument,
  type CourseOutline,
  courseOutlines,
  coursesOfSteps,
  coursesOfStudent,
  createTeam,
  enrolledAmong,
  enrolmentsOf,
  exportCourse,
  importIntoOrganisation,
  isCourseInstructor,
  isEnrolled,
  type LearnerPath,
  type LearnerStep,
  learnerPath,
  listKms,
  organisationOfCourse,
  type PlanLimits,
  type PlanLimitsPort,
  type ProgressPort,
  playbackOf,
  publishCourse,
  type TallyStep,
  tallyStepsAmong,
  tallyStepsOfForm,
  teamStudentIds,
  unlimitedPlan,
  updateCourse,
} from './service.ts'
