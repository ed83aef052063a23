import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymiseRows, rowsAbout } from '../../core/privacy/port.ts'

// XP, badges, counters, scores, streaks and hearts, per student. Erasure keeps them under the pseudonymous
// student id (the ids of ledger entries and awards embed the student's id and the signal's, which change
// alike), so leaderboard totals, histograms and a rebuild from the pseudonymised signal log agree.

const perStudent: { table: string; columns: string[]; note: string }[] = [
  { table: 'xp_ledger', columns: ['id', 'student_id', 'subject_id'], note: 'XP entries.' },
  { table: 'gamification_award', columns: ['id', 'student_id', 'source_signal_id'], note: 'Badges earned.' },
  { table: 'gamification_counter', columns: ['student_id'], note: 'Counters badges read.' },
  { table: 'gamification_score', columns: ['student_id'], note: 'Total XP and badges (leaderboard).' },
  { table: 'gamification_week_score', columns: ['student_id'], note: 'XP per week (weekly leaderboard).' },
  { table: 'gamification_activity_day', columns: ['student_id'], note: 'Days with activity.' },
  { table: 'v_streak_history', columns: ['student_id'], note: 'Closed streak days.' },
  { table: 'gamification_streak', columns: ['student_id'], note: 'Current streak.' },
  { table: 'hearts', columns: ['student_id'], note: 'Hearts left.' },
]

export const gamificationPrivacy: PrivacyPort = {
  module: 'gamification',
  declares: perStudent.map(({ table, columns, note }) => ({
    table,
    subjectColumns: columns,
    personalColumns: [],
    note: `${note} Kept under the pseudonymous student id.`,
  })),

  async exportPerson(db, subject) {
    const data: Record<string, unknown> = {}
    for (const { table } of perStudent) {
      data[table] = await rowsAbout(db, subject.orgId, table, 'student_id', subject.studentId)
    }
    return data
  },

  async erasePerson(trx, subject, pseudonyms) {
    for (const { table, columns } of perStudent) {
      await pseudonymiseRows(trx, subject.orgId, pseudonyms, { table, whereColumn: 'student_id', columns })
    }
    return undefined
  },
}
