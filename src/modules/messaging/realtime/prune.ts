import type { Db } from '../../../core/db/database.ts'
import type { ScheduledJob } from '../../../core/jobs/job.ts'
import * as store from './store.ts'

/** How long live events are kept for clients that reconnect; one away longer reloads (`resync`). */
const REALTIME_EVENT_RETENTION_DAYS = 3
/** Presence rows of a node silent this long are a dead node's. */
const PRESENCE_STALE_MS = 10 * 60_000

/**
 * Every hour: forgets live events older than the retention, expired tickets and the presence of nodes that
 * stopped without saying so. Idempotent: the cut-offs come from the period, not from "now".
 */
export function pruneRealtimeJob(db: Db): ScheduledJob {
  return {
    name: 'messaging.prune-realtime',
    description: `forgets live events older than ${REALTIME_EVENT_RETENTION_DAYS} days, used tickets and dead nodes' presence`,
    schedule: { cron: '23 * * * *', timezone: 'UTC' },
    async run(ctx) {
      const at = ctx.scheduledAt.getTime()
      const events = await store.pruneEvents(
        db,
        new Date(at - REALTIME_EVENT_RETENTION_DAYS * 86_400_000).toISOString(),
      )
      const tickets = await store.pruneTickets(db, new Date(at).toISOString())
      const presence = await store.prunePresence(db, new Date(at - PRESENCE_STALE_MS).toISOString())
      ctx.logger.info({ events, tickets, presence }, 'realtime tables pruned')
      return { events, tickets, presence }
    },
  }
}
