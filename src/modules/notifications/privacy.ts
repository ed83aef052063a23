import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymiseRows, subjectIds } from '../../core/privacy/port.ts'

// Notifications belong to their recipient, and may be about another person (`about_id`: a message's
// author, a student at risk), whose name is then in their params. Preferences are the recipient's; the mail
// outbox holds the e-mails written to the person, with their address and text. Erasure deletes the person's
// notifications and those about them, their preferences, and the e-mails addressed to them; ids left in
// other rows' keys become the pseudonym.

export const notificationsPrivacy: PrivacyPort = {
  module: 'notifications',
  declares: [
    {
      table: 'notifications',
      subjectColumns: ['user_id', 'about_id', 'key', 'group_key'],
      personalColumns: ['params_json'],
      note: "The person's notifications, and others' notifications about them (with their name). Deleted.",
    },
    {
      table: 'notification_preferences',
      subjectColumns: ['user_id'],
      personalColumns: [],
      note: 'How each category of notification reaches the person. Deleted.',
    },
    {
      table: 'mail_outbox',
      subjectColumns: ['user_id', 'dedupe_key'],
      personalColumns: ['to_address', 'subject', 'text_body', 'html_body'],
      note: 'E-mails written to the person (the mail log). Deleted, with any to their address.',
    },
  ],

  async exportPerson(db, subject) {
    const notifications = await db
      .selectFrom('notifications')
      .select(['id', 'category', 'kind', 'params_json', 'link', 'created_at', 'read_at', 'emailed_at'])
      .where('org_id', '=', subject.orgId)
      .where('user_id', '=', subject.userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    const preferences = await db
      .selectFrom('notification_preferences')
      .select(['category', 'channel', 'updated_at'])
      .where('org_id', '=', subject.orgId)
      .where('user_id', '=', subject.userId)
      .orderBy('category')
      .execute()
    const emails = await db
      .selectFrom('mail_outbox')
      .select(['id', 'to_address', 'template', 'subject', 'status', 'created_at', 'sent_at'])
      .where('org_id', '=', subject.orgId)
      .where((eb) => eb.or([eb('user_id', '=', subject.userId), eb('to_address', '=', subject.email)]))
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return {
      notifications: notifications.map(({ params_json, ...n }) => ({
        ...n,
        params: JSON.parse(params_json),
      })),
      preferences,
      emails,
    }
  },

  async erasePerson(trx, subject, pseudonyms) {
    const ids = subjectIds(subject)
    await trx
      .deleteFrom('notifications')
      .where('org_id', '=', subject.orgId)
      .where((eb) => eb.or([eb('user_id', '=', subject.userId), eb('about_id', 'in', ids)]))
      .execute()
    await trx
      .deleteFrom('notification_preferences')
      .where('org_id', '=', subject.orgId)
      .where('user_id', '=', subject.userId)
      .execute()
    await trx
      .deleteFrom('mail_outbox')
      .where('org_id', '=', subject.orgId)
      .where((eb) => eb.or([eb('user_id', '=', subject.userId), eb('to_address', '=', subject.email)]))
      .execute()
    for (const column of ['key', 'group_key'] as const) {
      await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
        table: 'notifications',
        whereColumn: column,
        columns: [column],
        match: 'contains',
      })
    }
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'mail_outbox',
      whereColumn: 'dedupe_key',
      columns: ['dedupe_key'],
      match: 'contains',
    })
    return undefined
  },
}
