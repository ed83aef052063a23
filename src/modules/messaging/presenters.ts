import type { Role } from '../../core/http/roles.ts'
import type { ConversationRow, MessageRow, ParticipantRow } from './tables.ts'

/** An attachment as a message shows it (attachments.ts's attachmentView). */
type AttachmentView = { id: string; name: string; type: string; size: number; url: string }

export function messageView(row: MessageRow, attachments: AttachmentView[] = []) {
  const deleted = row.deleted_at !== null
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    author_id: row.author_id,
    client_id: row.client_id,
    body: row.deleted_at === null ? row.body : null,
    state:
      row.deleted_at !== null || row.body === null
        ? ('deleted' as const)
        : row.edited_at !== null
          ? ('edited' as const)
          : ('sent' as const),
    created_at: row.created_at,
    edited_at: row.edited_at,
    deleted_at: row.deleted_at,
    attachments: deleted ? [] : attachments,
  }
}

type Member = { name: string; role: Role }

export function conversationView(
  row: ConversationRow,
  participants: ParticipantRow[],
  members: ReadonlyMap<string, Member>,
  lastMessage: MessageRow | undefined,
  unreadCount: number,
  lastAttachments: AttachmentView[] = [],
) {
  return {
    id: row.id,
    kind: row.kind,
    course_id: row.course_id,
    team_id: row.team_id,
    created_by: row.created_by,
    created_at: row.created_at,
    participants: participants.map((p) => ({
      member_id: p.user_id,
      name: members.get(p.user_id)?.name ?? null,
      role: members.get(p.user_id)?.role ?? null,
      joined_at: p.joined_at,
      left_at: p.left_at,
      last_read_message_id: p.last_read_message_id,
    })),
    last_message: lastMessage ? messageView(lastMessage, lastAttachments) : null,
    unread_count: unreadCount,
  }
}

/** An opaque cursor from the values a page ends on, and back; a cursor that does not decode starts over. */
export function encodeCursor(parts: string[]): string {
  return btoa(JSON.stringify(parts)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export function decodeCursor(cursor: string | undefined): string[] | null {
  if (!cursor) return null
  try {
    const parsed: unknown = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')))
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : null
  } catch {
    return null
  }
}
