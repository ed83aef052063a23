// The messaging module's public face: conversations and messages between the members of one school.
import type { MessagingTables } from './tables.ts'

export { messagingPrivacy } from './privacy.ts'
export { DEFAULT_MESSAGE_RATE_LIMIT, type MessagingDeps, memberLeftSchool } from './service.ts'

declare module '../../core/db/database.ts' {
  /** The tables the messaging module owns. */
  interface Database extends MessagingTables {}
}
