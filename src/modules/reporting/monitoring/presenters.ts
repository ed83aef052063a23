import type { z } from '@hono/zod-openapi'
import type { UserActivitySchema } from '../schemas.ts'

// The monitoring views as the API shows them.

type UserActivity = z.infer<typeof UserActivitySchema>['data'][number]

/** One student's recent activity; the service counts `events_since` over the last 24 hours. */
export const activityView = (row: {
  student_id: string
  last_event_at: string
  events_since: number
}): UserActivity => ({
  student_id: row.student_id,
  last_event_at: row.last_event_at,
  events_last_24h: row.events_since,
})
