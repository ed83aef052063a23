import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymiseRows } from '../../core/privacy/port.ts'

// Conversations name their members by account id (as participants, creator, and in a direct pair's key);
// messages name their author and hold what they wrote. Erasure keeps each thread for the others: the
// person's ids become their pseudonym everywhere, and the bodies of the messages they wrote are removed
// (the messages show as deleted), with the files they attached. Others' messages stay theirs. Their
// reports of others' messages stay for the staff, under the pseudonym and without their reason.

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
    {
      table: 'message_attachments',
      subjectColumns: ['uploaded_by'],
      personalColumns: ['file_name', 'file_key'],
      note: 'Files attached to messages. The person’s own are deleted, rows and files.',
    },
    {
      table: 'message_reports',
      subjectColumns: ['reporter_id'],
      personalColumns: ['reason'],
      note: 'Messages reported to the staff. Kept under the pseudonym, without the reason the person gave.',
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
    const attachments = await db
      .selectFrom('message_attachments')
      .select(['id', 'conversation_id', 'message_id', 'file_name', 'file_type', 'file_size', 'created_at'])
      .where('org_id', '=', subject.orgId)
      .where('uploaded_by', '=', subject.userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    const reports = await db
      .selectFrom('message_reports')
      .select(['message_id', 'conversation_id', 'reason', 'created_at'])
      .where('org_id', '=', subject.orgId)
      .where('reporter_id', '=', subject.userId)
      .orderBy('created_at')
      .execute()
    return { conversations, messages, attachments, reports }
  },

  async erasePerson(trx, subject, pseudonyms) {
    const files = await trx
      .deleteFrom('message_attachments')
      .where('org_id', '=', subject.orgId)
      .where('uploaded_by', '=', subject.userId)
      .returning('file_key')
      .execute()
    await trx
      .updateTable('message_reports')
      .set({ reason: null })
      .where('org_id', '=', subject.orgId)
      .where('reporter_id', '=', subject.userId)
      .execute()
    await pseudonymiseRows(trx, subject.orgId, pseudonyms, {
      table: 'message_reports',
      whereColumn: 'reporter_id',
      columns: ['reporter_id'],
    })
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
    return { filesToDelete: files.map((f) => f.file_key) }
  },
}
