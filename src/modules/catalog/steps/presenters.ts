import { parseJson } from '../../../core/db/json.ts'
import type { QuizDefinition } from '../rules/steps.ts'
import type { MediaItem } from '../schemas.ts'
import type { ClassRow, QuizRow } from '../tables.ts'
import { contentOf } from './content.ts'

/** The quiz as staff see it: the answer key included, the Tally signing secret never. */
export function quizView(quiz: QuizDefinition) {
  if (quiz.kind === 'native') {
    return {
      kind: quiz.kind,
      pass_threshold: quiz.pass_threshold,
      reveal_answers: quiz.reveal_answers,
      question_display: quiz.question_display,
      questions: quiz.questions,
    }
  }
  const { signing_secret, ...tally } = quiz.tally
  return {
    kind: quiz.kind,
    pass_threshold: quiz.pass_threshold,
    tally: { ...tally, signing_secret_set: Boolean(signing_secret) },
  }
}

/** A step as staff see it; `reachedSteps` is how many leading steps of its course some student has reached. */
export function classView(row: ClassRow, quiz: QuizRow | undefined, reachedSteps: number) {
  const content = contentOf(row, quiz)
  return {
    id: row.id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    course_id: row.course_id,
    name: row.name,
    description: row.description,
    order_index: row.order_index,
    step_type: row.step_type,
    content_md: row.content_md,
    video: content.video,
    quiz: content.quiz ? quizView(content.quiz) : null,
    // Order indexes are the positions 0..n-1 (setStepOrder), and students reach a path's leading steps.
    students_reached: row.order_index < reachedSteps,
    skills: parseJson<string[]>(row.skills_json, []),
    languages: parseJson<string[]>(row.languages_json, []),
    media: parseJson<MediaItem[]>(row.media_json, []),
    raw: parseJson<Record<string, unknown> | null>(row.raw_json, null),
  }
}

export type ClassView = ReturnType<typeof classView>
