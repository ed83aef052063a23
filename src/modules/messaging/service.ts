import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { isUniqueViolation } from '../../core/db/errors.ts'
import type { FileStore } from '../../core/files/file-store.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { AppError, badRequest, conflict, forbidden, notFound } from '../../core/http/errors.ts'
import { may } from '../../core/http/policies.ts'
import type { Role } from '../../core/http/roles.ts'
import { newId } from '../../core/ids.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import { attachmentView, claimAttachments } from './attachments.ts'
import type { ConversationReadPort, NotifyPort } from './ports.ts'
import { conversationView, decodeCursor, encodeCursor, messageView } from './presenters.ts'
import type { Realtime } from './realtime/hub.ts'
import * as repo from './repository.ts'
import { mayWrite } from './rules/who-may-write.ts'
import type { ConversationRow, MessageRow } from './tables.ts'

/** How many messages a member may post in a window, across all their conversations. */
export type MessageRateLimit = { messages: number; windowMs: number }

export type MessagingDeps = {
  db: Db
  clock: Clock
  identity: identity.IdentityDeps
  catalog: catalog.CatalogDeps
  rateLimit: MessageRateLimit
  /** Where attached files are kept, and the server's upload limit (attachments have a lower one of their own). */
  files: FileStore
  uploadMaxBytes: number
  /** Notifies members (the notifications module); without it, nobody is notified. */
  notify?: NotifyPort
  /** Tells notifications that a member read a whole conversation (no e-mail digest for it). */
  conversationRead?: ConversationReadPort
  /** Live events for members' sockets (realtime/); without it, nothing is pushed. */
  realtime?: Realtime
}

/** Until configured otherwise: 20 messages a minute, more than a person types and less than a script sends. */
export const DEFAULT_MESSAGE_RATE_LIMIT: MessageRateLimit = { messages: 20, windowMs: 60_000 }

type Me = MemberIdentity
type Page = { limit: number; cursor?: string }

const now = (deps: MessagingDeps) => deps.clock.now().toISOString()

function cursorParts(cursor: string | undefined, length: number): string[] | undefined {
  if (cursor === undefined) return undefined
  const parts = decodeCursor(cursor)
  if (!parts || parts.length !== length) throw badRequest('invalid_cursor', 'This cursor is not one of ours')
  return parts
}

async function loadConversation(deps: MessagingDeps, me: Me, conversationId: string) {
  const row = await repo.conversationOf(deps.db, me.orgId, conversationId, me.userId)
  if (!row) throw notFound('Conversation')
  return row
}

/** The conversations as their member sees them: participants, last message and their unread count. */
async function views(
  deps: MessagingDeps,
  me: Me,
  rows: (ConversationRow & { last_read_position: number })[],
) {
  const ids = rows.map((r) => r.id)
  const lastIds = rows.flatMap((r) => r.last_message_id ?? [])
  const [participants, lastMessages, unread, lastAttachments] = await Promise.all([
    repo.participantsOf(deps.db, me.orgId, ids),
    repo.messagesByIds(
      deps.db,
      me.orgId,
      rows.flatMap((r) => r.last_message_id ?? []),
    ),
    repo.unreadCounts(
      deps.db,
      me.orgId,
      me.userId,
      rows.map((r) => ({ conversationId: r.id, lastReadPosition: Number(r.last_read_position) })),
    ),
    attachmentsOf(deps, me.orgId, lastIds),
  ])
  const members = await identity.membersAmong(
    deps.identity,
    me.orgId,
    participants.map((p) => p.user_id),
  )
  const byId = new Map(members.map((m) => [m.user_id, m]))
  return rows.map((row) =>
    conversationView(
      row,
      participants.filter((p) => p.conversation_id === row.id),
      byId,
      lastMessages.find((m) => m.id === row.last_message_id),
      unread.get(row.id) ?? 0,
      row.last_message_id ? lastAttachments(row.last_message_id) : [],
    ),
  )
}

/** The attachments of these messages, by message id. */
async function attachmentsOf(deps: MessagingDeps, orgId: string, messageIds: string[]) {
  const rows = await repo.attachmentsOfMessages(deps.db, orgId, messageIds)
  return (messageId: string) => rows.filter((a) => a.message_id === messageId).map(attachmentView)
}

/** One of the caller's conversations, as the list shows it (404 for one they are not in). */
export async function viewOne(deps: MessagingDeps, me: Me, conversationId: string) {
  const [view] = await views(deps, me, [await loadConversation(deps, me, conversationId)])
  if (!view) throw notFound('Conversation')
  return view
}

export async function listConversations(deps: MessagingDeps, me: Me, page: Page) {
  const parts = cursorParts(page.cursor, 2)
  const after = parts ? { at: parts[0] ?? '', id: parts[1] ?? '' } : undefined
  const rows = await repo.conversationsOf(deps.db, me.orgId, me.userId, { limit: page.limit + 1, after })
  const shown = rows.slice(0, page.limit)
  const last = shown.at(-1)
  return {
    data: await views(deps, me, shown),
    next_cursor: rows.length > page.limit && last ? encodeCursor([last.last_activity_at, last.id]) : null,
  }
}

// Starting conversations

export type NewConversation = {
  member_id?: string
  team_id?: string
  member_ids?: string[]
  course_id?: string
}

/** Starts a conversation, or finds the direct one the two members already have (`created: false`). */
export async function startConversation(deps: MessagingDeps, me: Me, input: NewConversation) {
  if (input.course_id) {
    const [course] = await catalog.courseOutlines(deps.catalog, me.orgId, { ids: [input.course_id] })
    if (!course) throw notFound('Course')
  }
  if (input.member_id !== undefined) return openDirect(deps, me, input.member_id, input.course_id ?? null)
  if (!may('messaging.group').includes(me.role)) {
    throw forbidden('Group conversations are started by the school staff', 'group_staff_only')
  }
  const members = input.team_id ? await teamMembers(deps, me, input.team_id) : (input.member_ids ?? [])
  const found = await identity.membersAmong(deps.identity, me.orgId, members)
  if (found.length < new Set(members).size) throw notFound('Member')
  const others = found.map((m) => m.user_id).filter((id) => id !== me.userId)
  if (others.length === 0) throw badRequest('empty_group', 'A group conversation needs someone besides you')
  const row = conversationRow(deps, me, 'group', null, input.course_id ?? null, input.team_id ?? null)
  await insert(deps, row, [me.userId, ...others])
  return { created: true, conversation: await viewOne(deps, me, row.id) }
}

async function teamMembers(deps: MessagingDeps, me: Me, teamId: string) {
  const studentIds = await catalog.teamStudentIds(deps.catalog, me.orgId, teamId)
  const people = await identity.peopleByIds(deps.identity, me.orgId, 'lms_student', studentIds)
  return people.flatMap((p) => p.user_id ?? [])
}

function conversationRow(
  deps: MessagingDeps,
  me: Me,
  kind: ConversationRow['kind'],
  directKey: string | null,
  courseId: string | null,
  teamId: string | null,
): ConversationRow {
  const at = now(deps)
  return {
    id: newId(),
    org_id: me.orgId,
    kind,
    direct_key: directKey,
    course_id: courseId,
    team_id: teamId,
    created_by: me.userId,
    created_at: at,
    last_position: 0,
    last_message_id: null,
    last_activity_at: at,
  }
}

async function insert(deps: MessagingDeps, row: ConversationRow, userIds: string[]) {
  const participants = [...new Set(userIds)].map((user_id) => ({
    org_id: row.org_id,
    conversation_id: row.id,
    user_id,
    joined_at: row.created_at,
    left_at: null,
    last_read_position: 0,
    last_read_message_id: null,
  }))
  await deps.db.transaction().execute((trx) => repo.insertConversation(trx, row, participants))
}

async function openDirect(deps: MessagingDeps, me: Me, memberId: string, courseId: string | null) {
  if (memberId === me.userId) throw badRequest('self_conversation', 'A conversation needs another member')
  const [member] = await identity.membersAmong(deps.identity, me.orgId, [memberId])
  if (!member) throw notFound('Member')
  const key = [me.userId, memberId].sort().join(':')
  const existing = await repo.findDirect(deps.db, me.orgId, key)
  const decision = () => writeDecision(deps, me.orgId, { user_id: me.userId, role: me.role }, member)
  if (existing) {
    // One of the two left the school and is back: the rule decides again, and both take part again.
    const participants = await repo.participantsOf(deps.db, me.orgId, [existing.id])
    if (participants.some((p) => p.left_at !== null)) {
      const again = await decision()
      if (!again.allowed) throw forbidden(again.message, again.code)
      await repo.setLeft(deps.db, me.orgId, existing.id, [me.userId, memberId], null)
    }
    return { created: false, conversation: await viewOne(deps, me, existing.id) }
  }
  const allowed = await decision()
  if (!allowed.allowed) throw forbidden(allowed.message, allowed.code)
  const row = conversationRow(deps, me, 'direct', key, courseId, null)
  try {
    await insert(deps, row, [me.userId, memberId])
  } catch (err) {
    // The two members asked at the same moment: the other request made it.
    const made = isUniqueViolation(err) ? await repo.findDirect(deps.db, me.orgId, key) : undefined
    if (!made) throw err
    return { created: false, conversation: await viewOne(deps, me, made.id) }
  }
  return { created: true, conversation: await viewOne(deps, me, row.id) }
}

type Person = { user_id: string; role: Role }

/** Whether one member may write to another (rules/who-may-write.ts), with today's roles and courses. */
async function writeDecision(deps: MessagingDeps, orgId: string, from: Person, to: Person) {
  return mayWrite({
    from: from.role,
    to: to.role,
    teachesSender: await teachesStudent(deps, orgId, from, to),
    studentMessaging: await studentMessaging(deps, orgId, from.role, to.role),
  })
}

/** Whether the instructor teaches a course the student is enrolled in. */
async function teachesStudent(deps: MessagingDeps, orgId: string, student: Person, instructor: Person) {
  if (student.role !== 'student' || instructor.role !== 'instructor') return false
  const { studentId } = await identity.profilesOfUser(deps.identity, orgId, student.user_id)
  if (!studentId) return false
  for (const course of await catalog.coursesOfStudent(deps.catalog, orgId, studentId)) {
    if (await catalog.isCourseInstructor(deps.catalog, orgId, course.id, instructor.user_id)) return true
  }
  return false
}

async function studentMessaging(deps: MessagingDeps, orgId: string, from: Role, to: Role) {
  if (from !== 'student' || to !== 'student') return false
  return (await identity.getOrganisation(deps.identity, orgId)).student_messaging === 1
}

/**
 * In a direct conversation, the who-may-write rule holds for every message, with today's roles and courses
 * (a student no longer enrolled in the instructor's course no longer writes to them). One may also answer
 * the member who opened the conversation while they may write to one (a student answers support, whom
 * support could not have written to first). A member who left is written to no more.
 */
async function assertMayPost(deps: MessagingDeps, me: Me, conversation: ConversationRow) {
  if (conversation.kind !== 'direct') return
  const participants = await repo.participantsOf(deps.db, me.orgId, [conversation.id])
  const other = participants.find((p) => p.user_id !== me.userId && p.left_at === null)
  const [member] = other ? await identity.membersAmong(deps.identity, me.orgId, [other.user_id]) : []
  if (!member) throw forbidden('The other member has left this conversation', 'member_left')
  const self = { user_id: me.userId, role: me.role }
  const decision = await writeDecision(deps, me.orgId, self, member)
  if (decision.allowed) return
  if (conversation.created_by === member.user_id) {
    if ((await writeDecision(deps, me.orgId, member, self)).allowed) return
  }
  throw forbidden(decision.message, decision.code)
}

// Messages

export async function listMessages(deps: MessagingDeps, me: Me, conversationId: string, page: Page) {
  await loadConversation(deps, me, conversationId)
  const parts = cursorParts(page.cursor, 1)
  const beforePosition = parts ? Number(parts[0]) : undefined
  if (beforePosition !== undefined && !Number.isInteger(beforePosition)) {
    throw badRequest('invalid_cursor', 'This cursor is not one of ours')
  }
  const rows = await repo.messagesOf(deps.db, me.orgId, conversationId, {
    limit: page.limit + 1,
    beforePosition,
  })
  const shown = rows.slice(0, page.limit)
  const last = shown.at(-1)
  const attachments = await attachmentsOf(
    deps,
    me.orgId,
    shown.map((m) => m.id),
  )
  return {
    data: shown.map((m) => messageView(m, attachments(m.id))),
    next_cursor: rows.length > page.limit && last ? encodeCursor([String(last.position)]) : null,
  }
}

/**
 * Stores a message and makes it the conversation's last, in one transaction. Idempotent on the author's
 * `client_id`: the same request again answers the stored message (`created: false`), never a second one.
 */
export async function postMessage(
  deps: MessagingDeps,
  me: Me,
  conversationId: string,
  input: { client_id: string; body: string; attachment_ids?: string[] },
) {
  const conversation = await loadConversation(deps, me, conversationId)
  const known = await sameMessage(deps, me, conversationId, input.client_id)
  if (known) return { created: false, message: await withAttachments(deps, known) }
  const attachmentIds = input.attachment_ids ?? []
  if (input.body === '' && attachmentIds.length === 0) {
    throw badRequest('empty_message', 'A message needs a body or an attachment')
  }
  await assertMayPost(deps, me, conversation)
  await checkRate(deps, me)
  const row: Omit<MessageRow, 'position'> = {
    id: newId(),
    org_id: me.orgId,
    conversation_id: conversationId,
    author_id: me.userId,
    client_id: input.client_id,
    body: input.body,
    created_at: now(deps),
    edited_at: null,
    deleted_at: null,
  }
  try {
    let seq: number | undefined
    const { message, attachments } = await deps.db.transaction().execute(async (trx) => {
      const stored = await repo.appendMessage(trx, row)
      const claimed = await claimAttachments(trx, me, stored, attachmentIds)
      await repo.markRead(trx, me.orgId, conversationId, me.userId, stored)
      // The live event is stored with the message: a member reconnecting later reads it back.
      const data = messageView(stored, claimed.map(attachmentView))
      const event = { type: 'message.created' as const, actorId: me.userId, data }
      seq = await deps.realtime?.record(trx, me.orgId, event, { conversationId })
      return { message: stored, attachments: claimed }
    })
    // Notified before the live event goes out: a client that refreshes its bell on `message.created` finds
    // the message's notification already there.
    await notifyParticipants(deps, me, message)
    if (seq !== undefined) await deps.realtime?.announce(me.orgId, seq)
    return { created: true, message: messageView(message, attachments.map(attachmentView)) }
  } catch (err) {
    // The same post, retried while the first was being stored.
    const stored = isUniqueViolation(err)
      ? await sameMessage(deps, me, conversationId, input.client_id)
      : undefined
    if (!stored) throw err
    return { created: false, message: await withAttachments(deps, stored) }
  }
}

async function withAttachments(deps: MessagingDeps, message: MessageRow) {
  return messageView(message, (await attachmentsOf(deps, message.org_id, [message.id]))(message.id))
}

/** The conversation's other current participants are notified of a new message (an e-mail if left unread). */
async function notifyParticipants(deps: MessagingDeps, me: Me, message: MessageRow) {
  if (!deps.notify) return
  const participants = await repo.participantsOf(deps.db, me.orgId, [message.conversation_id])
  const recipients = participants
    .filter((p) => p.left_at === null && p.user_id !== me.userId)
    .map((p) => p.user_id)
  if (recipients.length === 0) return
  // A message of files only reads as a paper clip in the inbox and the e-mail.
  const body = (message.body ?? '').replace(/\s+/g, ' ').trim() || '📎'
  await deps.notify(me.orgId, {
    recipients,
    category: 'messages',
    kind: 'message.received',
    key: `message:${message.id}`,
    group: message.conversation_id,
    params: { sender: me.name, excerpt: body.length > 140 ? `${body.slice(0, 139)}…` : body },
    link: `/messages/${message.conversation_id}`,
    about: me.userId,
  })
}

async function sameMessage(deps: MessagingDeps, me: Me, conversationId: string, clientId: string) {
  const known = await repo.findByClientId(deps.db, me.orgId, me.userId, clientId)
  if (known && known.conversation_id !== conversationId) {
    throw conflict(
      'client_id_taken',
      'This client_id already names one of your messages in another conversation',
    )
  }
  return known
}

async function checkRate(deps: MessagingDeps, me: Me) {
  const { messages, windowMs } = deps.rateLimit
  const nowMs = deps.clock.now().getTime()
  const since = new Date(nowMs - windowMs).toISOString()
  const times = await repo.recentMessageTimes(deps.db, me.orgId, me.userId, since, messages)
  const oldest = times[0]
  if (times.length < messages || oldest === undefined) return
  const retryAfter = Math.max(1, Math.ceil((new Date(oldest).getTime() + windowMs - nowMs) / 1000))
  throw new AppError(429, 'rate_limited', `At most ${messages} messages in ${windowMs / 1000} seconds`, {
    retry_after: retryAfter,
  })
}

/** Moves the member's read receipt up to a message of the conversation (never back). */
export async function markRead(deps: MessagingDeps, me: Me, conversationId: string, upTo: string) {
  await loadConversation(deps, me, conversationId)
  const message = await repo.getMessage(deps.db, me.orgId, upTo)
  if (!message || message.conversation_id !== conversationId) throw notFound('Message')
  await repo.markRead(deps.db, me.orgId, conversationId, me.userId, message)
  const view = await viewOne(deps, me, conversationId)
  const mine = view.participants.find((p) => p.member_id === me.userId)
  if (view.unread_count === 0) await deps.conversationRead?.(me.orgId, me.userId, conversationId)
  const receipt = { member_id: me.userId, last_read_message_id: mine?.last_read_message_id ?? null }
  const read = { type: 'conversation.read' as const, data: { conversation_id: conversationId, ...receipt } }
  await deps.realtime?.deliverToConversation(me.orgId, conversationId, read, me.userId)
  return {
    conversation_id: conversationId,
    last_read_message_id: mine?.last_read_message_id ?? null,
    unread_count: view.unread_count,
  }
}

/** One's own message of a conversation one still takes part in; another's is refused, a deleted one gone. */
async function ownMessage(deps: MessagingDeps, me: Me, messageId: string) {
  const message = await repo.getMessage(deps.db, me.orgId, messageId)
  if (!message || !(await repo.conversationOf(deps.db, me.orgId, message.conversation_id, me.userId))) {
    throw notFound('Message')
  }
  if (message.author_id !== me.userId) throw forbidden('Only its author may change a message', 'not_author')
  if (message.deleted_at !== null) throw conflict('message_deleted', 'This message was deleted')
  return message
}

export async function editMessage(deps: MessagingDeps, me: Me, messageId: string, body: string) {
  const message = await ownMessage(deps, me, messageId)
  const edited = { body, edited_at: now(deps) }
  await repo.updateMessage(deps.db, me.orgId, messageId, edited)
  const view = await withAttachments(deps, { ...message, ...edited })
  const event = { type: 'message.updated' as const, data: view }
  await deps.realtime?.deliverToConversation(me.orgId, message.conversation_id, event, me.userId)
  return view
}

/** Deletes one's message: it stays in the thread, as deleted, without its body nor its attachments. */
export async function deleteMessage(deps: MessagingDeps, me: Me, messageId: string) {
  const message = await ownMessage(deps, me, messageId)
  const deleted = { body: null, deleted_at: now(deps) }
  const files = await deps.db.transaction().execute(async (trx) => {
    await repo.updateMessage(trx, me.orgId, messageId, deleted)
    return repo.deleteAttachmentsOf(trx, me.orgId, messageId)
  })
  for (const key of files) await deps.files.delete(key)
  const view = messageView({ ...message, ...deleted })
  const event = { type: 'message.updated' as const, data: view }
  await deps.realtime?.deliverToConversation(me.orgId, message.conversation_id, event, me.userId)
  return view
}

// Leaving

/** Leaves a group conversation: the member reads and writes there no more; the others keep the thread. */
export async function leaveConversation(deps: MessagingDeps, me: Me, conversationId: string) {
  const conversation = await loadConversation(deps, me, conversationId)
  if (conversation.kind === 'direct') {
    throw badRequest('direct_conversation', 'One leaves group conversations only')
  }
  await repo.setLeft(deps.db, me.orgId, conversationId, [me.userId], now(deps))
}

/**
 * A member was removed from the school (identity's `onMemberRemoved`, inside the removal's transaction):
 * they leave every conversation there, so that nobody writes to them and they read nothing more.
 */
export async function memberLeftSchool(db: Db, orgId: string, userId: string, at: string) {
  await repo.leaveAll(db, orgId, userId, at)
}
