import type { PrivacyPort } from '../../core/privacy/port.ts'
import { rowsAbout } from '../../core/privacy/port.ts'

// The privacy module's own rows about a person: when the retention job saw them leave the school.

export const privacyPrivacy: PrivacyPort = {
  module: 'privacy',
  declares: [
    {
      table: 'privacy_departures',
      subjectColumns: ['user_id'],
      personalColumns: [],
      note: 'When a former member was first seen gone (for retention). Deleted.',
    },
  ],

  async exportPerson(db, subject) {
    return {
      departure:
        (await rowsAbout(db, subject.orgId, 'privacy_departures', 'user_id', subject.userId))[0] ?? null,
    }
  },

  async erasePerson(trx, subject) {
    await trx
      .deleteFrom('privacy_departures')
      .where('org_id', '=', subject.orgId)
      .where('user_id', '=', subject.userId)
      .execute()
    return undefined
  },
}
