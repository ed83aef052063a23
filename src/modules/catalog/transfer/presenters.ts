import type { CourseView } from '../courses/presenters.ts'
import type { KmsInput } from '../kms/service.ts'
import type { QuizInputValue } from '../steps/content.ts'
import type { ClassView, quizView } from '../steps/presenters.ts'
import type { KmsResourceRow } from '../tables.ts'
import type { CourseDocument } from './service.ts'

/** The document of a course: its settings, its steps with their quizzes, its handout documents and links. */
export function courseDocument(
  view: CourseView,
  steps: ClassView[],
  kms: KmsResourceRow[],
  exportedAt: string,
): CourseDocument {
  return {
    format: 'sillon.course',
    version: 1,
    exported_at: exportedAt,
    course: {
      name: view.name,
      description: view.description,
      categories: view.categories,
      languages: view.languages,
      media: view.media,
      objectives: view.objectives,
      skills: view.skills,
      currency: view.currency,
      price_amount: view.price_amount,
      is_active: view.is_active,
      is_private: view.is_private,
      max_playback_rate: view.max_playback_rate,
      allow_video_download: view.allow_video_download,
      video_completion_threshold: view.video_completion_threshold,
      quiz_pass_threshold: view.quiz_pass_threshold,
      raw: view.raw,
    },
    steps: steps.map((step) => ({
      name: step.name,
      description: step.description,
      step_type: step.step_type,
      content_md: step.content_md,
      video: step.video,
      quiz: step.quiz ? exportedQuiz(step.quiz) : null,
      skills: step.skills,
      languages: step.languages,
      media: step.media,
      raw: step.raw,
    })),
    kms: kms.flatMap((r): KmsInput[] => {
      const available_in_advance = r.available_in_advance === 1
      if (r.type === 'document')
        return [{ type: 'document', title: r.title, body: r.body_md ?? '', available_in_advance }]
      if (r.type === 'link') return [{ type: 'link', title: r.title, url: r.url ?? '', available_in_advance }]
      return []
    }),
  }
}

function exportedQuiz(quiz: ReturnType<typeof quizView>): QuizInputValue {
  const threshold = quiz.pass_threshold === null ? {} : { pass_threshold: quiz.pass_threshold }
  if (quiz.kind === 'native')
    return {
      ...threshold,
      reveal_answers: quiz.reveal_answers,
      question_display: quiz.question_display,
      questions: quiz.questions,
    }
  const { signing_secret_set: _, ...tally } = quiz.tally
  return { ...threshold, tally }
}
