import type { Generated } from 'kysely'

type ConversationKind = 'direct' | 'group'

export type ConversationRow = {
  id: string
  org_id: string
  kind: ConversationKind
  /** The two members' account ids, sorted and joined: one direct conversation per pair in a school. */
  direct_key: string | null
  course_id: string | null
  team_id: string | null
  created_by: string
  created_at: string
  /** The number of the conversation's latest message (0 before the first). */
  last_position: number
  last_message_id: string | null
  /** When the conversation was created or last written to: the order of a member's list. */
  last_activity_at: string
}

export type ParticipantRow = {
  org_id: string
  conversation_id: string
  user_id: string
  joined_at: string
  left_at: string | null
  last_read_position: number
  last_read_message_id: string | null
}

export type MessageRow = {
  id: string
  org_id: string
  conversation_id: string
  position: number
  author_id: string
  client_id: string
  /** Markdown; null once deleted (or once its author is erased). */
  body: string | null
  created_at: string
  edited_at: string | null
  deleted_at: string | null
}

/** A file attached to a message: uploaded into a conversation first, then claimed by the message naming it. */
export type AttachmentRow = {
  id: string
  org_id: string
  conversation_id: string
  /** Null while uploaded and not yet sent with a message. */
  message_id: string | null
  uploaded_by: string
  /** In the file store: `<org id>/<attachment id>`. */
  file_key: string
  file_name: string
  /** Judged from the file's first bytes, never from what the uploader claimed. */
  file_type: string
  file_size: number
  created_at: string
}

/** One member's report of a message to the school's staff (one per reporter and message). */
export type ReportRow = {
  org_id: string
  message_id: string
  reporter_id: string
  conversation_id: string
  /** Null once the reporter is erased. */
  reason: string | null
  created_at: string
}

export type MessagingTables = {
  conversations: Omit<ConversationRow, 'last_position'> & { last_position: Generated<number> }
  conversation_participants: Omit<ParticipantRow, 'last_read_position'> & {
    last_read_position: Generated<number>
  }
  messages: MessageRow
  message_attachments: AttachmentRow
  message_reports: ReportRow
}
