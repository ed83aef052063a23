import type { MemberIdentity } from '../../core/http/access.ts'
import { badRequest, conflict, notFound } from '../../core/http/errors.ts'
import { may } from '../../core/http/policies.ts'
import * as identity from '../identity/index.ts'
import { attachmentView } from './attachments.ts'
import { decodeCursor, encodeCursor, messageView } from './presenters.ts'
import * as repo from './repository.ts'
import type { MessagingDeps } from './service.ts'
import type { ReportRow } from './tables.ts'

// Reporting a message to the school's staff: a participant reports another's message with a reason; the
// report is kept once per reporter and message (reporting again answers the first report), and the
// school's moderators (the `messaging.moderate` ability: owners and administrators) are notified and list
// the reports with the messages, whether or not they take part in the conversation.

/** Whom a report notifies: the roles that read the reports. */
const moderatorRoles = may('messaging.moderate')

/** How many moderators are notified at most (a school has a handful of owners and administrators). */
const MAX_NOTIFIED = 200

function reportView(row: ReportRow) {
  return {
    message_id: row.message_id,
    conversation_id: row.conversation_id,
    reporter_id: row.reporter_id,
    reason: row.reason,
    created_at: row.created_at,
  }
}

/**
 * Reports another participant's message of the conversation. Answers `created: false` with the first
 * report when the caller already reported it. Moderators are notified under a key made of the message and
 * the reporter, so that a retried report never notifies twice.
 */
export async function reportMessage(
  deps: MessagingDeps,
  me: MemberIdentity,
  conversationId: string,
  messageId: string,
  reason: string,
) {
  const conversation = await repo.conversationOf(deps.db, me.orgId, conversationId, me.userId)
  if (!conversation) throw notFound('Conversation')
  const message = await repo.getMessage(deps.db, me.orgId, messageId)
  if (!message || message.conversation_id !== conversationId) throw notFound('Message')
  if (message.author_id === me.userId)
    throw badRequest('own_message', 'One does not report one’s own message')
  if (message.deleted_at !== null) throw conflict('message_deleted', 'This message was deleted')
  const row: ReportRow = {
    org_id: me.orgId,
    message_id: messageId,
    reporter_id: me.userId,
    conversation_id: conversationId,
    reason,
    created_at: deps.clock.now().toISOString(),
  }
  const created = await repo.insertReport(deps.db, row)
  const stored = created ? row : await repo.getReport(deps.db, me.orgId, messageId, me.userId)
  if (!stored) throw notFound('Report')
  await notifyModerators(deps, me, stored)
  return { created, report: reportView(stored) }
}

async function notifyModerators(deps: MessagingDeps, me: MemberIdentity, report: ReportRow) {
  if (!deps.notify) return
  const moderators = await Promise.all(
    moderatorRoles.map((role) =>
      identity.listMembers(deps.identity, me.orgId, { role, limit: MAX_NOTIFIED, offset: 0 }),
    ),
  )
  const recipients = moderators
    .flatMap((page) => page.rows.map((m) => m.user_id))
    .filter((id) => id !== me.userId)
  if (recipients.length === 0) return
  await deps.notify(me.orgId, {
    recipients,
    category: 'messages',
    kind: 'message.reported',
    key: `message.reported:${report.message_id}:${report.reporter_id}`,
    params: { reporter: me.name, conversation_id: report.conversation_id, message_id: report.message_id },
    link: '/messages/reports',
    // Erasing the reporter takes the notification, which names them, away.
    about: me.userId,
  })
}

/** The school's reports, newest first, each with the message as it stands and who wrote and reported it. */
export async function listReports(
  deps: MessagingDeps,
  me: MemberIdentity,
  page: { limit: number; cursor?: string },
) {
  const parts = page.cursor === undefined ? undefined : decodeCursor(page.cursor)
  if (parts === null || (parts && parts.length !== 3)) {
    throw badRequest('invalid_cursor', 'This cursor is not one of ours')
  }
  const after = parts
    ? { at: parts[0] ?? '', messageId: parts[1] ?? '', reporterId: parts[2] ?? '' }
    : undefined
  const rows = await repo.reportsOf(deps.db, me.orgId, { limit: page.limit + 1, after })
  const shown = rows.slice(0, page.limit)
  const messageIds = [...new Set(shown.map((r) => r.message_id))]
  const [messages, attachments] = await Promise.all([
    repo.messagesByIds(deps.db, me.orgId, messageIds),
    repo.attachmentsOfMessages(deps.db, me.orgId, messageIds),
  ])
  const people = await identity.membersAmong(deps.identity, me.orgId, [
    ...shown.map((r) => r.reporter_id),
    ...messages.map((m) => m.author_id),
  ])
  const nameOf = (userId: string) => people.find((p) => p.user_id === userId)?.name ?? null
  const last = shown.at(-1)
  return {
    data: shown.flatMap((report) => {
      const message = messages.find((m) => m.id === report.message_id)
      if (!message) return []
      return [
        {
          ...reportView(report),
          reporter_name: nameOf(report.reporter_id),
          author_name: nameOf(message.author_id),
          message: messageView(
            message,
            attachments.filter((a) => a.message_id === message.id).map(attachmentView),
          ),
        },
      ]
    }),
    next_cursor:
      rows.length > page.limit && last
        ? encodeCursor([last.created_at, last.message_id, last.reporter_id])
        : null,
  }
}
