import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymiseRows, rowsAbout } from '../../core/privacy/port.ts'

// The progress read model and the signal log (progress's learning signals and gamification's streak and
// heart signals alike, one log). Signal ids embed the student's id (`STEP_COMPLETED:<student>:<step>`):
// erasure rewrites them with the rest, so a replay of the pseudonymised events derives the same ids.

export const progressPrivacy: PrivacyPort = {
  module: 'progress',
  declares: [
    {
      table: 'v_user_progress',
      subjectColumns: ['student_id'],
      personalColumns: [],
      note: 'Progress per step. Kept under the pseudonymous student id.',
    },
    {
      table: 'lms_signal',
      subjectColumns: ['id', 'student_id', 'payload_json'],
      personalColumns: [],
      note: 'The signal log (derived facts: completions, quiz attempts, streak days, hearts). Kept under the pseudonymous student id; payloads hold scores and counts, no personal value.',
    },
  ],

  async exportPerson(db, subject) {
    const signals = await rowsAbout(db, subject.orgId, 'lms_signal', 'student_id', subject.studentId)
    return {
      steps: await rowsAbout(db, subject.orgId, 'v_user_progress', 'student_id', subject.studentId),
      signals: signals.map(({ payload_json, source_event_ids_json, ...rest }) => ({
        ...rest,
        payload: JSON.parse(String(payload_json)),
        source_event_ids: JSON.parse(String(source_event_ids_json)),
      })),
    }
  },

  async erasePerson(trx, subject, pseudonyms) {
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'v_user_progress',
      whereColumn: 'student_id',
      columns: ['student_id'],
    })
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'lms_signal',
      whereColumn: 'student_id',
      columns: ['id', 'student_id', 'payload_json'],
    })
    return undefined
  },
}
