import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymiseRows } from '../../core/privacy/port.ts'

// The event log and the Tally responses kept aside. Erasure keeps the person's events under the
// pseudonymous student id, so that progress, XP and mastery replay alike, and removes the answers of their
// quiz submissions (`answers`, and Tally's `answer_texts`): free text, and whatever a Tally form asked.
// Nothing reads them back but the answer to a resent submission: grades are in `score`, `ratio`,
// `passed` and `results` (per question: correct, points, skills), which stay. Tally responses set aside
// (tally_inbox) and refused deliveries (tally_rejections) that name the person are deleted.

/** The payload of a quiz submission without what the person wrote or chose. */
function withoutAnswers(payload: Record<string, unknown>): Record<string, unknown> {
  const { answer_texts: _texts, ...rest } = payload
  return { ...rest, answers: {} }
}

export const trackingPrivacy: PrivacyPort = {
  module: 'tracking',
  declares: [
    {
      table: 'lms_event',
      subjectColumns: ['student_id'],
      personalColumns: ['payload_json'],
      note: "Learning events. Kept under the pseudonymous student id; a quiz submission's answers are removed.",
    },
    {
      table: 'tally_inbox',
      subjectColumns: [],
      personalColumns: ['payload_json'],
      note: 'Tally responses that could not be recorded, as Tally sent them. Those naming the person are deleted.',
    },
    {
      table: 'tally_rejections',
      subjectColumns: [],
      personalColumns: ['excerpt'],
      note: 'The start of unauthenticated Tally deliveries. Those naming the person are deleted.',
    },
  ],

  async exportPerson(db, subject) {
    if (!subject.studentId) return { events: [] }
    const rows = await db
      .selectFrom('lms_event')
      .select([
        'id',
        'type',
        'version',
        'course_id',
        'class_id',
        'occurred_at',
        'received_at',
        'payload_json',
      ])
      .where('org_id', '=', subject.orgId)
      .where('student_id', '=', subject.studentId)
      .orderBy('seq')
      .execute()
    return {
      events: rows.map(({ payload_json, ...rest }) => ({ ...rest, payload: JSON.parse(payload_json) })),
    }
  },

  async erasePerson(trx, subject, pseudonyms) {
    const { orgId, studentId } = subject
    const pseudonym = studentId ? pseudonyms.get(studentId) : undefined
    if (studentId && pseudonym) {
      await pseudonymiseRows(trx, orgId, pseudonyms, {
        table: 'lms_event',
        whereColumn: 'student_id',
        columns: ['student_id'],
      })
      const submissions = await trx
        .selectFrom('lms_event')
        .select(['seq', 'payload_json'])
        .where('org_id', '=', orgId)
        .where('student_id', '=', pseudonym)
        .where('type', '=', 'QUIZ_SUBMIT')
        .execute()
      for (const event of submissions) {
        await trx
          .updateTable('lms_event')
          .set({ payload_json: JSON.stringify(withoutAnswers(JSON.parse(event.payload_json))) })
          .where('seq', '=', event.seq)
          .execute()
      }
    }
    const traces = [subject.email.toLowerCase(), ...(studentId ? [studentId] : []), subject.userId]
    for (const trace of traces) {
      await trx
        .deleteFrom('tally_inbox')
        .where('org_id', '=', orgId)
        .where((eb) => eb(eb.fn('lower', ['payload_json']), 'like', `%${trace}%`))
        .execute()
      await trx
        .deleteFrom('tally_rejections')
        .where('org_id', '=', orgId)
        .where((eb) => eb(eb.fn('lower', ['excerpt']), 'like', `%${trace}%`))
        .execute()
    }
    return undefined
  },
}
