// What messaging needs of other modules, as plain functions that src/app.ts wires in.

/** A notification for members of one school (the notifications module's `notify`, see its index.ts). */
export type NotifyInput = {
  /** Account ids of members of the school. */
  recipients: string[]
  category: 'messages' | 'courses' | 'reminders' | 'achievements' | 'billing'
  /** 'message.received', 'message.reported'... */
  kind: string
  /** Deterministic: the same key twice never makes a second notification for a recipient. */
  key: string
  /** Digest grouping, such as a conversation id. */
  group?: string
  /** For the templates: plain values, no HTML. */
  params: Record<string, string | number>
  /** A path of the web app. */
  link?: string
  /** The person it is about (a message's author): erasing them removes it. */
  about?: string
}

/** Notifies members of a school; without it (no notifications module), nobody is notified. */
export type NotifyPort = (orgId: string, input: NotifyInput) => Promise<void>

/** A member has read a whole conversation: its message notifications are read, and none becomes an e-mail. */
export type ConversationReadPort = (orgId: string, userId: string, conversationId: string) => Promise<void>
