import type { Db } from '../../../core/db/database.ts'
import type { SignalReactor } from '../../../core/events/projector.ts'
import type { DecodedSignal } from '../../../core/events/signal-log.ts'
import type { QuizAttemptedBody } from '../../progress/index.ts'
import * as repo from '../repository.ts'
import {
  courseScore,
  evidenceOfAttempt,
  type QuestionState,
  recordEvidence,
} from '../rules/course-mastery.ts'
import { quizAttempts } from '../rules/quiz-attempt.ts'

type Question = QuestionState & { class_id: string; question_id: string }

/** One student's course as the batch evolves it: its questions, and which ones changed. */
type CourseState = {
  org_id: string
  student_id: string
  course_id: string
  questions: Map<string, Question>
  changed: Set<string>
  attempts: number
  last_attempt_at: string
  last_seq: number
  dirty: boolean
}

const questionKey = (classId: string, questionId: string) => `${classId}\u0000${questionId}`

async function loadCourse(db: Db, signal: DecodedSignal, courseId: string) {
  const [rows, aggregate] = await Promise.all([
    repo.questionsOf(db, signal.org_id, signal.student_id, courseId),
    repo.courseMasteryRow(db, signal.org_id, signal.student_id, courseId),
  ])
  const questions = new Map<string, Question>()
  for (const r of rows) {
    questions.set(questionKey(r.class_id, r.question_id), {
      class_id: r.class_id,
      question_id: r.question_id,
      points: Number(r.points),
      attempts: Number(r.attempts),
      best_credit: Number(r.best_credit),
      last_seq: Number(r.last_seq),
      updated_at: r.updated_at,
    })
  }
  return {
    org_id: signal.org_id,
    student_id: signal.student_id,
    course_id: courseId,
    questions,
    changed: new Set<string>(),
    attempts: aggregate ? Number(aggregate.attempts) : 0,
    last_attempt_at: aggregate?.last_attempt_at ?? '',
    last_seq: aggregate ? Number(aggregate.last_seq) : 0,
    dirty: false,
  } satisfies CourseState
}

/**
 * `v_course_mastery` and the question evidence behind it, from QUIZ_ATTEMPTED signals
 * (rules/course-mastery.ts). A signal already applied to a course is skipped, so applying it twice
 * changes nothing; rows hold only what signals say, so a rebuild gives the same rows.
 */
export const courseMasteryReactor: SignalReactor<QuizAttemptedBody> = {
  name: 'mastery_course',
  reads: 'signals',
  signals: quizAttempts,
  async apply(db, signals) {
    const courses = new Map<string, CourseState>()
    for (const signal of signals) {
      const attempt = signal.payload
      if (!signal.course_id) continue
      const key = `${signal.org_id}\u0000${signal.student_id}\u0000${signal.course_id}`
      let course = courses.get(key)
      if (!course) {
        course = await loadCourse(db, signal, signal.course_id)
        courses.set(key, course)
      }
      if (signal.seq <= course.last_seq) continue
      const classId = signal.class_id ?? ''
      for (const evidence of evidenceOfAttempt(attempt)) {
        const qKey = questionKey(classId, evidence.question_id)
        const next = recordEvidence(course.questions.get(qKey) ?? null, evidence, signal)
        if (!next) continue
        course.questions.set(qKey, { ...next, class_id: classId, question_id: evidence.question_id })
        course.changed.add(qKey)
      }
      course.attempts += 1
      course.last_attempt_at = signal.occurred_at
      course.last_seq = signal.seq
      course.dirty = true
    }
    for (const course of courses.values()) {
      if (!course.dirty) continue
      const owner = { org_id: course.org_id, student_id: course.student_id, course_id: course.course_id }
      await repo.saveQuestions(
        db,
        [...course.changed].map((k) => ({ ...owner, ...(course.questions.get(k) as Question) })),
      )
      // Summed in a fixed order (by step, then question), so the score never depends on batching.
      const questions = [...course.questions.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, q]) => q)
      await repo.saveCourseMastery(db, {
        ...owner,
        score: courseScore(questions),
        questions: questions.length,
        points: questions.reduce((sum, q) => sum + q.points, 0),
        attempts: course.attempts,
        last_attempt_at: course.last_attempt_at,
        last_seq: course.last_seq,
      })
    }
  },
  async reset(db) {
    await repo.deleteCourseMastery(db)
  },
}
