import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymiseRows, rowsAbout } from '../../core/privacy/port.ts'

// Mastery's read models, per student: kept under the pseudonymous student id, so course and skill
// averages of the school stay as they were (a rebuild from the pseudonymised signals gives the same rows).

const tables = ['mastery_question', 'v_course_mastery', 'v_skill_mastery'] as const

export const masteryPrivacy: PrivacyPort = {
  module: 'mastery',
  declares: tables.map((table) => ({
    table,
    subjectColumns: ['student_id'],
    personalColumns: [],
    note: 'Mastery per question, course or skill. Kept under the pseudonymous student id.',
  })),

  async exportPerson(db, subject) {
    const [questions, courses, skills] = await Promise.all(
      tables.map((table) => rowsAbout(db, subject.orgId, table, 'student_id', subject.studentId)),
    )
    return { questions, courses, skills }
  },

  async erasePerson(trx, subject, pseudonyms) {
    for (const table of tables) {
      await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
        table,
        whereColumn: 'student_id',
        columns: ['student_id'],
      })
    }
    return undefined
  },
}
