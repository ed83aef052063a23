import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymiseRows } from '../../core/privacy/port.ts'

// Conversations name their members by account id (as participants, creator, and in a direct pair's key);
// messages name their author and hold what they wrote. Erasure keeps each thread for the others: the
// person's ids become their pseudonym everywhere, and the bodies of the messages they wrote are removed
// (the messages show as deleted). Others' messages stay theirs.

export const messagingPrivacy: PrivacyPort = {
  module: 'messaging',
  declares: [
    {
      table: 'conversations',
      subjectColumns: ['created_by', 'direct_key'],
      personalColumns: [],
      note: 'Conversations (direct or group). Kept; the person becomes their pseudonym as creator and in the key of a direct pair.',
    },
    {
      table: 'conversation_participants',
      subjectColumns: ['user_id'],
      personalColumns: [],
      note: 'Who takes part in each conversation, and what they have read. Kept under the pseudonym.',
    },
    {
      table: 'messages',
      subjectColumns: ['author_id'],
      personalColumns: ['body'],
      note: "Messages. The person's own are kept as deleted, without their text, under the pseudonym; others' stay.",
    },
  ],

  async exportPerson(db, subject) {
    const conversations = await db
      .selectFrom('conversation_participants as p')
      .innerJoin('conversations as c', (j) =>
        j.onRef('c.id', '=', 'p.conversation_id').onRef('c.org_id', '=', 'p.org_id'),
      )
      .select([
        'c.id',
        'c.kind',
        'c.course_id',
        'c.team_id',
        'p.joined_at',
        'p.left_at',
        'p.last_read_message_id',
      ])
      .where('p.org_id', '=', subject.orgId)
      .where('p.user_id', '=', subject.userId)
      .orderBy('p.joined_at')
      .execute()
    const messages = await db
      .selectFrom('messages')
      .select(['id', 'conversation_id', 'body', 'created_at', 'edited_at', 'deleted_at'])
      .where('org_id', '=', subject.orgId)
      .where('author_id', '=', subject.userId)
      .orderBy('created_at')
      .orderBy('position')
      .execute()
    return { conversations, messages }
  },

  async erasePerson(trx, subject, pseudonyms) {
    await trx
      .updateTable('messages')
      .set({ body: null })
      .where('org_id', '=', subject.orgId)
      .where('author_id', '=', subject.userId)
      .execute()
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'messages',
      whereColumn: 'author_id',
      columns: ['author_id'],
    })
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'conversation_participants',
      whereColumn: 'user_id',
      columns: ['user_id'],
    })
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'conversations',
      whereColumn: 'created_by',
      columns: ['created_by'],
    })
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'conversations',
      whereColumn: 'direct_key',
      columns: ['direct_key'],
      match: 'contains',
    })
    return undefined
  },
}
