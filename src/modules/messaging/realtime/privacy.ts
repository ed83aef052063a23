import type { PrivacyPort } from '../../../core/privacy/port.ts'
import { pseudonymiseRows } from '../../../core/privacy/port.ts'

// Live events are short-lived copies (kept a few days for reconnecting clients) of what messaging and
// notifications store and declare themselves: a person's export has them there. Erasure removes the events
// the person's own actions made (their messages' text), the events addressed to them, their tickets and
// presence, and replaces their ids by the pseudonym in what others still have.

export const realtimePrivacy: PrivacyPort = {
  module: 'realtime',
  declares: [
    {
      table: 'realtime_events',
      subjectColumns: ['actor_id'],
      personalColumns: ['data_json'],
      note: 'Live events (messages, receipts, notifications) kept a few days for reconnecting clients. Those the person made are removed; in the others, their ids become the pseudonym.',
    },
    {
      table: 'realtime_recipients',
      subjectColumns: ['user_id'],
      personalColumns: [],
      note: 'Whom each live event is for. The person’s rows are removed.',
    },
    {
      table: 'realtime_tickets',
      subjectColumns: ['user_id'],
      personalColumns: [],
      note: 'Single-use tickets (30 seconds) that open the live socket. Removed.',
    },
    {
      table: 'realtime_presence',
      subjectColumns: ['user_id'],
      personalColumns: [],
      note: 'Which node holds the person’s open sockets. Removed.',
    },
  ],

  async exportPerson(db, subject) {
    const pending = await db
      .selectFrom('realtime_recipients')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('org_id', '=', subject.orgId)
      .where('user_id', '=', subject.userId)
      .executeTakeFirst()
    // The events themselves copy messages and notifications, which those modules export.
    return { live_events_kept_for_reconnection: Number(pending?.n ?? 0) }
  },

  async erasePerson(trx, subject, pseudonyms) {
    const { orgId, userId } = subject
    await trx
      .deleteFrom('realtime_events')
      .where('org_id', '=', orgId)
      .where('actor_id', '=', userId)
      .execute()
    for (const table of ['realtime_recipients', 'realtime_tickets', 'realtime_presence'] as const) {
      await trx.deleteFrom(table).where('org_id', '=', orgId).where('user_id', '=', userId).execute()
    }
    await pseudonymiseRows(trx, orgId, pseudonyms, {
      table: 'realtime_events',
      whereColumn: 'data_json',
      columns: ['data_json'],
      match: 'contains',
    })
    return undefined
  },
}
