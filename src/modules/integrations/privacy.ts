import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymiseRows } from '../../core/privacy/port.ts'

// Integration events (the outbox the progress projector writes) name the student, and their ids embed the
// signal's, which embeds the student's; deliveries name the event. Both are rewritten to the pseudonyms.
// What subscribers already received is theirs: the school tells them (see README).

export const integrationsPrivacy: PrivacyPort = {
  module: 'integrations',
  declares: [
    {
      table: 'integration_outbox',
      subjectColumns: ['id', 'data_json'],
      personalColumns: [],
      note: 'Integration events for webhooks (student id, course, step, scores). Rewritten to the pseudonymous student id.',
    },
    {
      table: 'webhook_deliveries',
      subjectColumns: ['event_id'],
      personalColumns: [],
      note: 'Deliveries of those events. Rewritten to the pseudonymous event ids.',
    },
  ],

  async exportPerson(db, subject) {
    if (!subject.studentId) return { integration_events: [] }
    const rows = await db
      .selectFrom('integration_outbox')
      .select(['id', 'type', 'version', 'occurred_at', 'data_json'])
      .where('org_id', '=', subject.orgId)
      .where('data_json', 'like', `%${subject.studentId}%`)
      .orderBy('seq')
      .execute()
    return {
      integration_events: rows.map(({ data_json, ...rest }) => ({ ...rest, data: JSON.parse(data_json) })),
    }
  },

  async erasePerson(trx, subject, pseudonyms) {
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'integration_outbox',
      whereColumn: 'data_json',
      columns: ['id', 'data_json'],
      match: 'contains',
    })
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'webhook_deliveries',
      whereColumn: 'event_id',
      columns: ['event_id'],
      match: 'contains',
    })
    return undefined
  },
}
