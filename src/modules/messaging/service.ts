import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { isUniqueViolation } from '../../core/db/errors.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { AppError, badRequest, conflict, forbidden, notFound } from '../../core/http/errors.ts'
import { may } from '../../core/http/policies.ts'
import type { Role } from '../../core/http/roles.ts'
import { newId } from '../../core/ids.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import { conversationView, decodeCursor, encodeCursor, messageView } from './presenters.ts'
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
  const [participants, lastMessages, unread] = await Promise.all([
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
    ),
  )
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
  if (existing) return { created: false, conversation: await viewOne(deps, me, existing.id) }
  const decision = mayWrite({
    from: me.role,
    to: member.role,
    teachesSender: await teachesStudent(deps, me, member),
    studentMessaging: await studentMessaging(deps, me, member.role),
  })
  if (!decision.allowed) throw forbidden(decision.message, decision.code)
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

/** Whether the member (an instructor) teaches a course the caller (a student) is enrolled in. */
async function teachesStudent(deps: MessagingDeps, me: Me, member: { user_id: string; role: Role }) {
  if (me.role !== 'student' || member.role !== 'instructor') return false
  const { studentId } = await identity.profilesOfUser(deps.identity, me.orgId, me.userId)
  if (!studentId) return false
  for (const course of await catalog.coursesOfStudent(deps.catalog, me.orgId, studentId)) {
    if (await catalog.isCourseInstructor(deps.catalog, me.orgId, course.id, member.user_id)) return true
  }
  return false
}

async function studentMessaging(deps: MessagingDeps, me: Me, to: Role) {
  if (me.role !== 'student' || to !== 'student') return false
  return (await identity.getOrganisation(deps.identity, me.orgId)).student_messaging === 1
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
  return {
    data: shown.map(messageView),
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
  input: { client_id: string; body: string },
) {
  await loadConversation(deps, me, conversationId)
  const known = await sameMessage(deps, me, conversationId, input.client_id)
  if (known) return { created: false, message: messageView(known) }
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
    const message = await deps.db.transaction().execute(async (trx) => {
      const stored = await repo.appendMessage(trx, row)
      await repo.markRead(trx, me.orgId, conversationId, me.userId, stored)
      return stored
    })
    return { created: true, message: messageView(message) }
  } catch (err) {
    // The same post, retried while the first was being stored.
    const stored = isUniqueViolation(err)
      ? await sameMessage(deps, me, conversationId, input.client_id)
      : undefined
    if (!stored) throw err
    return { created: false, message: messageView(stored) }
  }
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
  return messageView({ ...message, ...edited })
}

/** Deletes one's message: it stays in the thread, as deleted, without its body. */
export async function deleteMessage(deps: MessagingDeps, me: Me, messageId: string) {
  const message = await ownMessage(deps, me, messageId)
  const deleted = { body: null, deleted_at: now(deps) }
  await repo.updateMessage(deps.db, me.orgId, messageId, deleted)
  return messageView({ ...message, ...deleted })
}
