import { type SignalBodyOf, type SignalOf, signalContract } from '../../../core/events/signal-log.ts'
import { CourseCompletedSignal, QuizPassedSignal, VideoCompletedSignal } from '../../progress/index.ts'
import { StreakDaySignal } from '../contract.ts'
import type { XpCause } from '../tables.ts'
import { isPerfectQuiz } from './perfect-quiz.ts'
import type { GamificationSettings } from './settings.ts'

// Seed 003's XP rules as a pure function: what one signal is worth, under a school's settings.

export type XpEntry = {
  id: string
  org_id: string
  student_id: string
  cause: XpCause
  subject_id: string
  points: number
  occurred_at: string
}

/** The signals that pay XP. */
export const xpSignals = signalContract(
  VideoCompletedSignal,
  QuizPassedSignal,
  CourseCompletedSignal,
  StreakDaySignal,
)

export type XpSignal = SignalOf<typeof xpSignals>
export type XpSignalBody = SignalBodyOf<typeof xpSignals>

export function xpEntryId(cause: XpCause, subjectId: string): string {
  return `${cause}:${subjectId}`
}

/** The causes a signal of this type can give XP for: the ids its entries may have. */
export function xpCausesOf(signalType: string): XpCause[] {
  switch (signalType) {
    case 'VIDEO_COMPLETED':
      return ['video_completed']
    case 'QUIZ_PASSED':
      return ['quiz_passed', 'perfect_quiz']
    case 'COURSE_COMPLETED':
      return ['course_completed']
    case 'STREAK_DAY':
      return ['streak_day']
    default:
      return []
  }
}

export function xpOfSignal(signal: XpSignal, settings: GamificationSettings): XpEntry[] {
  const entry = (cause: XpCause, points: number): XpEntry => ({
    id: xpEntryId(cause, signal.id),
    org_id: signal.org_id,
    student_id: signal.student_id,
    cause,
    subject_id: signal.id,
    points,
    occurred_at: signal.occurred_at,
  })
  const { xp } = settings
  switch (signal.type) {
    case 'VIDEO_COMPLETED':
      return [entry('video_completed', xp.video_completed)]
    case 'QUIZ_PASSED':
      return [
        entry('quiz_passed', xp.quiz_passed),
        ...(isPerfectQuiz(signal.payload) ? [entry('perfect_quiz', xp.perfect_quiz)] : []),
      ]
    case 'COURSE_COMPLETED':
      return [entry('course_completed', xp.course_completed)]
    case 'STREAK_DAY':
      // A day kept by a freeze keeps the streak but earns nothing.
      return signal.payload.active ? [entry('streak_day', xp.streak_day)] : []
  }
}
