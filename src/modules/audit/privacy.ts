import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymisePerson } from './service.ts'

// The audit log names people as actors and targets, with the address and browser of their requests.
// Erasure keeps each entry (what was done, when) and replaces the person's ids, name and e-mail with the
// pseudonym of their account. Entries of the platform (no school) name platform operators, whose accounts
// erasure never deletes, so only the school's entries change.

export const auditPrivacy: PrivacyPort = {
  module: 'audit',
  declares: [
    {
      table: 'audit_log',
      subjectColumns: ['actor_id', 'target_id'],
      personalColumns: ['actor_label', 'target_label', 'details_json', 'ip', 'user_agent'],
      note: "Administrative actions. Kept; the person's ids, name and e-mail become their pseudonym, and their requests' address and browser are forgotten.",
    },
  ],

  async exportPerson(db, subject) {
    const actions = await db
      .selectFrom('audit_log')
      .select(['occurred_at', 'action', 'target_type', 'target_label', 'ip', 'user_agent'])
      .where('org_id', '=', subject.orgId)
      .where('actor_id', '=', subject.userId)
      .orderBy('occurred_at')
      .execute()
    return { actions }
  },

  async erasePerson(trx, subject, pseudonyms) {
    await pseudonymisePerson(
      trx,
      subject.orgId,
      { ids: [...pseudonyms.keys()], values: [subject.name, subject.email] },
      pseudonyms.get(subject.userId) ?? '',
    )
    return undefined
  },
}
