import { parseJson } from '../../../core/db/json.ts'
import type { CatalogDeps } from '../deps.ts'
import type { Question, QuestionDisplay, RevealAnswers } from '../rules/quiz.ts'
import type { QuizDefinition, StepContent, TallyMapping, Video } from '../rules/steps.ts'
import type { ClassRow, QuizRow } from '../tables.ts'
import * as repo from './repository.ts'

// A step's content as the rules read it (rows, or what an author sends, into rules/steps.ts's types).

export type QuizInputValue =
  | {
      pass_threshold?: number
      reveal_answers?: RevealAnswers
      question_display?: QuestionDisplay
      questions: Question[]
    }
  | { pass_threshold?: number; tally: TallyMapping }

function quizDefinition(row: QuizRow): QuizDefinition {
  const passThreshold = row.pass_threshold === null ? null : Number(row.pass_threshold)
  return row.kind === 'tally'
    ? {
        kind: 'tally',
        pass_threshold: passThreshold,
        tally: parseJson<TallyMapping>(row.tally_json, {} as TallyMapping),
      }
    : {
        kind: 'native',
        pass_threshold: passThreshold,
        reveal_answers: row.reveal_answers,
        question_display: row.question_display,
        questions: parseJson<Question[]>(row.questions_json, []),
      }
}

export function contentOf(row: ClassRow, quiz: QuizRow | undefined): StepContent {
  return {
    id: row.id,
    name: row.name,
    step_type: row.step_type,
    content_md: row.content_md,
    video: parseJson<Video | null>(row.video_json, null),
    quiz: quiz ? quizDefinition(quiz) : null,
  }
}

export async function stepContents(
  deps: CatalogDeps,
  orgId: string,
  courseId: string,
): Promise<StepContent[]> {
  const steps = await repo.listCourseSteps(deps.db, orgId, courseId)
  const quizzes = await repo.getQuizzes(
    deps.db,
    orgId,
    steps.flatMap((s) => s.quiz_id ?? []),
  )
  return steps.map((s) =>
    contentOf(
      s,
      quizzes.find((q) => q.id === s.quiz_id),
    ),
  )
}

export function toDefinition(input: QuizInputValue): QuizDefinition {
  const passThreshold = input.pass_threshold ?? null
  return 'tally' in input
    ? { kind: 'tally', pass_threshold: passThreshold, tally: input.tally }
    : {
        kind: 'native',
        pass_threshold: passThreshold,
        reveal_answers: input.reveal_answers ?? 'after_pass',
        question_display: input.question_display ?? 'all',
        questions: input.questions,
      }
}
