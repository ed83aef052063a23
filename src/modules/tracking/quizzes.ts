import {
  appendEvents,
  decodeEvent,
  EventConflictError,
  type NewEvent,
  type StoredEvent,
} from '../../core/events/event-store.ts'
import { conflict } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import * as catalog from '../catalog/index.ts'
import { type QuizSubmit, type TrackingEvent, trackingEvents } from './contract.ts'
import { storedEvents } from './repository.ts'
import {
  type Actor,
  gate,
  pathOfResent,
  type QuizHearts,
  sameSubject,
  studentOf,
  type TrackingDeps,
} from './service.ts'

// Native quiz attempts: graded on the server, paid for with a heart when failed, answered from the stored event.

export type QuizResultView = {
  event_id: string
  score: number
  max_score: number
  ratio: number
  passed: boolean
  pass_threshold: number
  attempts: number
  /** The quiz's rule for its answer key, and whether this answer shows it (a passed attempt, unless never). */
  reveal_answers: catalog.RevealAnswers
  answers_revealed: boolean
  results: (catalog.QuestionFeedback & { skills: string[] })[]
  /** The student's hearts after this attempt; null when the school has hearts off. */
  hearts: QuizHearts | null
}

/**
 * The answer to an attempt, from the stored event (a resent submission answers as the first did). The answer
 * key and the explanations go only with a passed attempt, so a failed one never gives the answers away.
 */
function quizView(
  event: TrackingEvent,
  quiz: { reveal_answers: catalog.RevealAnswers; questions: catalog.Question[] },
  threshold: number,
  attempts: number,
  hearts: QuizHearts | null,
): QuizResultView {
  if (event.type !== 'QUIZ_SUBMIT') throw new Error(`event ${event.id} is not a quiz attempt`)
  const attempt = event.payload
  const revealed = catalog.revealsAnswers(quiz.reveal_answers, attempt.passed)
  const skillsOf = new Map(attempt.results.map((r) => [r.question_id, r.skills]))
  return {
    event_id: event.id,
    score: attempt.score,
    max_score: attempt.max_score,
    ratio: attempt.ratio,
    passed: attempt.passed,
    pass_threshold: threshold,
    attempts,
    reveal_answers: quiz.reveal_answers,
    answers_revealed: revealed,
    results: catalog
      .feedbackOf(quiz.questions, attempt.results, revealed)
      .map((r) => ({ ...r, skills: skillsOf.get(r.question_id) ?? [] })),
    hearts,
  }
}

/**
 * Grades a native quiz on the server (a score sent by the client is never read), stores the attempt, and
 * answers with the score, per-question feedback and the hearts left. Resending the same event id returns
 * the same result. A student out of hearts cannot attempt a quiz until one comes back.
 */
export async function submitQuiz(
  deps: TrackingDeps,
  actor: Actor,
  input: { event_id?: string; class_id: string; answers: Record<string, unknown>; student_id?: string },
): Promise<QuizResultView> {
  const studentId = await studentOf(deps, actor, input.student_id)
  const [resent] = input.event_id ? await storedEvents(deps.db, actor.orgId, [input.event_id]) : []
  if (resent && !sameSubject(resent, 'QUIZ_SUBMIT', studentId, input.class_id)) {
    throw new EventConflictError(resent.id)
  }
  const { step, path, context } = resent
    ? await pathOfResent(deps, actor.orgId, resent)
    : await gate(deps, actor.orgId, studentId, input.class_id)
  if (!step.quiz) throw conflict('no_quiz', 'This step has no quiz')
  if (step.quiz.kind === 'tally') throw conflict('tally_quiz', 'This quiz is answered in its Tally form')
  if (step.step_type === 'video_quiz' && !resent) {
    const row = await deps.progress.ofStep(actor.orgId, studentId, input.class_id)
    if (row?.video_completed !== 1)
      throw conflict('video_first', 'Watch the video of this step before the quiz')
  }
  const questions = step.quiz.questions
  const grade = catalog.gradeQuiz(questions, input.answers)
  const payload: QuizSubmit = {
    source: 'native',
    score: grade.score,
    max_score: grade.max_score,
    ratio: grade.ratio,
    passed: grade.ratio >= context.pass_threshold - 1e-9,
    results: grade.results.map((r) => ({
      question_id: r.question_id,
      correct: r.correct,
      points: r.points,
      points_awarded: r.points_awarded,
      skills: questions.find((q) => q.id === r.question_id)?.skills ?? [],
    })),
    answers: input.answers,
  }
  const event: NewEvent = {
    id: input.event_id ?? newId(),
    org_id: actor.orgId,
    type: 'QUIZ_SUBMIT',
    version: 1,
    student_id: studentId,
    course_id: path.course.id,
    class_id: input.class_id,
    occurred_at: deps.clock.now().toISOString(),
    payload,
    context,
  }
  const now = deps.clock.now().toISOString()
  // The hearts are counted and the attempt stored under one lock of the log: two attempts sent together
  // cannot both spend the last heart. A resent attempt was already paid for: the guard skips it.
  const { appended, duplicates } = await appendEvents(deps.db, [event], now, {
    guard: async (trx) => {
      const hearts = await deps.hearts.available(trx, actor.orgId, studentId, now)
      if (hearts?.hearts === 0) {
        throw conflict('no_hearts', 'You have no hearts left: try the quiz again when one comes back', {
          next_heart_at: hearts.next_heart_at,
        })
      }
    },
  })
  await deps.project()
  const stored = decodeEvent(trackingEvents, (appended[0] ?? duplicates[0]) as StoredEvent)
  const [row, hearts] = await Promise.all([
    deps.progress.ofStep(actor.orgId, studentId, input.class_id),
    deps.hearts.check(actor.orgId, studentId),
  ])
  return quizView(stored, step.quiz, context.pass_threshold, row?.quiz_attempts ?? 1, hearts)
}
