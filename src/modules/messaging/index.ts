// The messaging module's public face: conversations and messages between the members of one school.
import type { MessagingTables } from './tables.ts'

export { pruneUnsentUploadsJob } from './attachments.ts'
export { messagingPrivacy } from './privacy.ts'
// Real time: `realtime.deliver(orgId, userIds, event)` and `realtime.isOnline(orgId, userId)` for other modules.
export { createRealtimeSocketServer } from './realtime/gateway.ts'
export { createRealtime } from './realtime/hub.ts'
export { realtimePrivacy } from './realtime/privacy.ts'
export { pruneRealtimeJob } from './realtime/prune.ts'
export { DEFAULT_MESSAGE_RATE_LIMIT, type MessagingDeps, memberLeftSchool } from './service.ts'

declare module '../../core/db/database.ts' {
  /** The tables the messaging module owns. */
  interface Database extends MessagingTables {}
}
