import type { StepType } from '../tables.ts'
import type { Question, QuestionDisplay, RevealAnswers } from './quiz.ts'

// What a step is made of, when it is complete enough to be published, and which changes of order
// would move students who already walked part of the path.

export type Video =
  | { source: 'url'; url: string; duration_sec: number }
  | { source: 'stream'; uid: string; duration_sec: number; requires_signed_urls: boolean }

export type TallyMapping = {
  form_id: string
  /** Hidden field carrying the student's id. */
  student_field: string
  /** Hidden field carrying the step (class) id. */
  class_field: string
  /** Calculated field holding the score. */
  score_field: string
  max_score: number
  /** Secret Tally signs its webhooks with; write-only. */
  signing_secret?: string
}

export type QuizDefinition =
  | {
      kind: 'native'
      pass_threshold: number | null
      reveal_answers: RevealAnswers
      question_display: QuestionDisplay
      questions: Question[]
    }
  | { kind: 'tally'; pass_threshold: number | null; tally: TallyMapping }

export type StepContent = {
  id: string
  name: string
  step_type: StepType
  content_md: string | null
  video: Video | null
  quiz: QuizDefinition | null
}

/** Why a step or a course cannot be taken yet: a stable code for clients, and a sentence for people. */
type ProblemCode =
  | 'no_steps'
  | 'video_missing'
  | 'quiz_missing'
  | 'quiz_without_questions'
  | 'tally_secret_missing'
  | 'text_missing'
export type StepProblem = { code: ProblemCode; message: string }
export type Problem = StepProblem & { class_id: string | null }

const needsVideo = (type: StepType) => type === 'video' || type === 'video_quiz'
const needsQuiz = (type: StepType) => type === 'quiz' || type === 'video_quiz'

/** What keeps one step from being taken by a student; empty when it is complete. */
export function stepProblems(step: StepContent): StepProblem[] {
  const problems: StepProblem[] = []
  if (needsVideo(step.step_type) && !step.video)
    problems.push({ code: 'video_missing', message: 'needs a video with its duration' })
  if (needsQuiz(step.step_type)) {
    if (!step.quiz) problems.push({ code: 'quiz_missing', message: 'needs a quiz' })
    else if (step.quiz.kind === 'native' && step.quiz.questions.length === 0)
      problems.push({ code: 'quiz_without_questions', message: 'the quiz has no question' })
    else if (step.quiz.kind === 'tally' && !step.quiz.tally.signing_secret) {
      problems.push({
        code: 'tally_secret_missing',
        message: "needs the Tally form's signing secret, or its answers cannot be trusted",
      })
    }
  }
  if (step.step_type === 'reading' && !step.content_md?.trim())
    problems.push({ code: 'text_missing', message: 'needs the text to read' })
  return problems
}

/** Why a course cannot be published yet: no step, or steps that are not complete. */
export function publishingProblems(steps: StepContent[]): Problem[] {
  if (steps.length === 0) {
    return [{ class_id: null, code: 'no_steps', message: 'A course needs at least one step' }]
  }
  return steps.flatMap((step) =>
    stepProblems(step).map(({ code, message }) => ({
      class_id: step.id,
      code,
      message: `Step "${step.name}" ${message}`,
    })),
  )
}

/**
 * Checks a new order of steps against how far students went. `reached` is the number of leading steps
 * that some student has completed or is working on: those must stay where they are, in the same order.
 * Returns a reason to refuse, or null.
 */
export function orderChangeRefusal(before: string[], after: string[], reached: number): string | null {
  for (let i = 0; i < reached; i++) {
    if (before[i] !== after[i]) {
      return `Students have already reached step ${i + 1}: the first ${reached} step(s) can no longer move or be removed`
    }
  }
  return null
}
