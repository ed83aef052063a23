import type { Insertable } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import type { AttachmentRow, ConversationRow, MessageRow, ParticipantRow, ReportRow } from './tables.ts'

// Queries of the messaging tables: the school (orgId) is the first business argument of each.

export async function findDirect(db: Db, orgId: string, directKey: string) {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('direct_key', '=', directKey)
    .executeTakeFirst()
}

export async function insertConversation(
  db: Db,
  row: ConversationRow,
  participants: Insertable<ParticipantRow>[],
) {
  await db.insertInto('conversations').values(row).execute()
  await db.insertInto('conversation_participants').values(participants).execute()
}

/** The conversations the member takes part in and has not left, with how far they have read each. */
function conversationsOfMember(db: Db, orgId: string, userId: string) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('conversation_participants as p', (j) =>
      j.onRef('p.conversation_id', '=', 'c.id').onRef('p.org_id', '=', 'c.org_id'),
    )
    .selectAll('c')
    .select(['p.last_read_position'])
    .where('c.org_id', '=', orgId)
    .where('p.user_id', '=', userId)
    .where('p.left_at', 'is', null)
}

/** The conversation, if the member takes part in it and has not left it. */
export async function conversationOf(db: Db, orgId: string, conversationId: string, userId: string) {
  return conversationsOfMember(db, orgId, userId).where('c.id', '=', conversationId).executeTakeFirst()
}

type ConversationCursor = { at: string; id: string }

/** A page of the member's conversations, latest activity first. */
export async function conversationsOf(
  db: Db,
  orgId: string,
  userId: string,
  page: { limit: number; after?: ConversationCursor },
) {
  let query = conversationsOfMember(db, orgId, userId)
  const after = page.after
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('c.last_activity_at', '<', after.at),
        eb.and([eb('c.last_activity_at', '=', after.at), eb('c.id', '<', after.id)]),
      ]),
    )
  }
  return query.orderBy('c.last_activity_at', 'desc').orderBy('c.id', 'desc').limit(page.limit).execute()
}

export async function participantsOf(db: Db, orgId: string, conversationIds: string[]) {
  if (conversationIds.length === 0) return []
  return db
    .selectFrom('conversation_participants')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('conversation_id', 'in', conversationIds)
    .orderBy('joined_at')
    .orderBy('user_id')
    .execute()
}

export async function messagesByIds(db: Db, orgId: string, ids: string[]) {
  if (ids.length === 0) return []
  return db.selectFrom('messages').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute()
}

/** By conversation: how many messages of others, not deleted, come after what the member has read. */
export async function unreadCounts(
  db: Db,
  orgId: string,
  userId: string,
  reads: { conversationId: string; lastReadPosition: number }[],
) {
  if (reads.length === 0) return new Map<string, number>()
  const rows = await db
    .selectFrom('messages')
    .select(['conversation_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('org_id', '=', orgId)
    .where('author_id', '!=', userId)
    .where('deleted_at', 'is', null)
    .where((eb) =>
      eb.or(
        reads.map((r) =>
          eb.and([eb('conversation_id', '=', r.conversationId), eb('position', '>', r.lastReadPosition)]),
        ),
      ),
    )
    .groupBy('conversation_id')
    .execute()
  return new Map(rows.map((r) => [r.conversation_id, Number(r.n)]))
}

/** A page of a conversation's messages, newest first, before the message numbered `beforePosition`. */
export async function messagesOf(
  db: Db,
  orgId: string,
  conversationId: string,
  page: { limit: number; beforePosition?: number },
) {
  let query = db
    .selectFrom('messages')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
  if (page.beforePosition !== undefined) query = query.where('position', '<', page.beforePosition)
  return query.orderBy('position', 'desc').limit(page.limit).execute()
}

export async function findByClientId(db: Db, orgId: string, authorId: string, clientId: string) {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('author_id', '=', authorId)
    .where('client_id', '=', clientId)
    .executeTakeFirst()
}

export async function getMessage(db: Db, orgId: string, messageId: string) {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', messageId)
    .executeTakeFirst()
}

/** When the author's messages since `since` were written, oldest first, at most `limit` of them. */
export async function recentMessageTimes(
  db: Db,
  orgId: string,
  authorId: string,
  since: string,
  limit: number,
) {
  const rows = await db
    .selectFrom('messages')
    .select('created_at')
    .where('org_id', '=', orgId)
    .where('author_id', '=', authorId)
    .where('created_at', '>', since)
    .orderBy('created_at')
    .limit(limit)
    .execute()
  return rows.map((r) => r.created_at)
}

/**
 * Numbers the message after the conversation's latest and stores both: the conversation row's update comes
 * first, so that concurrent posts to one conversation queue on its row (PostgreSQL) and never share a number.
 */
export async function appendMessage(db: Db, row: Omit<MessageRow, 'position'>) {
  const numbered = await db
    .updateTable('conversations')
    .set((eb) => ({
      last_position: eb('last_position', '+', 1),
      last_message_id: row.id,
      last_activity_at: row.created_at,
    }))
    .where('org_id', '=', row.org_id)
    .where('id', '=', row.conversation_id)
    .returning('last_position')
    .executeTakeFirstOrThrow()
  const message: MessageRow = { ...row, position: Number(numbered.last_position) }
  await db.insertInto('messages').values(message).execute()
  return message
}

export async function updateMessage(
  db: Db,
  orgId: string,
  messageId: string,
  patch: Pick<MessageRow, 'body'> & Partial<Pick<MessageRow, 'edited_at' | 'deleted_at'>>,
) {
  await db
    .updateTable('messages')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', messageId)
    .execute()
}

export async function markRead(
  db: Db,
  orgId: string,
  conversationId: string,
  userId: string,
  upTo: { position: number; id: string },
) {
  // Never backwards: a late receipt for an older message leaves a newer one in place.
  await db
    .updateTable('conversation_participants')
    .set({ last_read_position: upTo.position, last_read_message_id: upTo.id })
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .where('last_read_position', '<', upTo.position)
    .execute()
}

// Attachments

export async function insertAttachment(db: Db, row: AttachmentRow) {
  await db.insertInto('message_attachments').values(row).execute()
}

export async function getAttachment(db: Db, orgId: string, attachmentId: string) {
  return db
    .selectFrom('message_attachments')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', attachmentId)
    .executeTakeFirst()
}

/** Gives the message those of the ids that the author uploaded into its conversation and has not sent yet. */
export async function claimAttachments(
  db: Db,
  orgId: string,
  authorId: string,
  message: { id: string; conversation_id: string },
  ids: string[],
) {
  return db
    .updateTable('message_attachments')
    .set({ message_id: message.id })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('conversation_id', '=', message.conversation_id)
    .where('uploaded_by', '=', authorId)
    .where('message_id', 'is', null)
    .returningAll()
    .execute()
}

export async function attachmentsOfMessages(db: Db, orgId: string, messageIds: string[]) {
  if (messageIds.length === 0) return []
  return db
    .selectFrom('message_attachments')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('message_id', 'in', messageIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/** Removes a message's attachments; answers where their files are, for the caller to delete once committed. */
export async function deleteAttachmentsOf(db: Db, orgId: string, messageId: string) {
  const rows = await db
    .deleteFrom('message_attachments')
    .where('org_id', '=', orgId)
    .where('message_id', '=', messageId)
    .returning('file_key')
    .execute()
  return rows.map((r) => r.file_key)
}

/** How many files the member uploaded and has not sent yet. */
export async function countUnsentUploads(db: Db, orgId: string, userId: string) {
  const row = await db
    .selectFrom('message_attachments')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('org_id', '=', orgId)
    .where('uploaded_by', '=', userId)
    .where('message_id', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Removes, in every school, the uploads never sent and made before `before`; answers their file keys. */
export async function deleteUnsentUploads(db: Db, before: string) {
  const rows = await db
    .deleteFrom('message_attachments')
    .where('message_id', 'is', null)
    .where('created_at', '<', before)
    .returning('file_key')
    .execute()
  return rows.map((r) => r.file_key)
}

// Leaving

/** Marks the member as gone from every conversation of the school they still took part in. */
export async function leaveAll(db: Db, orgId: string, userId: string, at: string) {
  await db
    .updateTable('conversation_participants')
    .set({ left_at: at })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('left_at', 'is', null)
    .execute()
}

export async function setLeft(
  db: Db,
  orgId: string,
  conversationId: string,
  userIds: string[],
  leftAt: string | null,
) {
  await db
    .updateTable('conversation_participants')
    .set({ left_at: leftAt })
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('user_id', 'in', userIds)
    .execute()
}

// Reports

/** Stores the report unless the reporter already reported the message; answers whether it was new. */
export async function insertReport(db: Db, row: ReportRow) {
  const inserted = await db
    .insertInto('message_reports')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'message_id', 'reporter_id']).doNothing())
    .returning('message_id')
    .execute()
  return inserted.length > 0
}

/** Whether anyone reported the message. */
export async function isReported(db: Db, orgId: string, messageId: string) {
  const row = await db
    .selectFrom('message_reports')
    .select('message_id')
    .where('org_id', '=', orgId)
    .where('message_id', '=', messageId)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

export async function getReport(db: Db, orgId: string, messageId: string, reporterId: string) {
  return db
    .selectFrom('message_reports')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('message_id', '=', messageId)
    .where('reporter_id', '=', reporterId)
    .executeTakeFirst()
}

type ReportCursor = { at: string; messageId: string; reporterId: string }

/** A page of the school's reports, newest first. */
export async function reportsOf(db: Db, orgId: string, page: { limit: number; after?: ReportCursor }) {
  let query = db.selectFrom('message_reports').selectAll().where('org_id', '=', orgId)
  const after = page.after
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.at),
        eb.and([eb('created_at', '=', after.at), eb('message_id', '<', after.messageId)]),
        eb.and([
          eb('created_at', '=', after.at),
          eb('message_id', '=', after.messageId),
          eb('reporter_id', '<', after.reporterId),
        ]),
      ]),
    )
  }
  return query
    .orderBy('created_at', 'desc')
    .orderBy('message_id', 'desc')
    .orderBy('reporter_id', 'desc')
    .limit(page.limit)
    .execute()
}
