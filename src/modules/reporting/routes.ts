import type { Context } from 'hono'
import type { MemberIdentity } from '../../core/http/access.ts'
import type { AppEnv } from '../../core/http/context.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

const MONITORS = ['owner', 'admin', 'support'] as const
const orgOf = (c: Context<AppEnv>) => (c.get('identity') as MemberIdentity).orgId

export function reportingRoutes(deps: service.ReportingDeps) {
  const app = createRouter()
  const tags = ['Monitoring']

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/monitoring/events-daily',
      tags,
      summary: 'Events per day (UTC) and type (v_event_daily_stats)',
      access: MONITORS,
      request: { query: s.DailyStatsQuery },
      responses: {
        200: { description: 'Counts', ...json(s.DailyStatsSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json({ data: await service.dailyEventStats(deps, orgOf(c), c.req.valid('query')) }, 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/monitoring/signals',
      tags,
      summary: 'Per student, the count of each signal (v_signal_summary)',
      access: MONITORS,
      responses: {
        200: { description: 'Counts', ...json(s.SignalSummarySchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json({ data: await service.signalSummary(deps, orgOf(c)) }, 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/monitoring/activity',
      tags,
      summary: 'Per student, the last event and the events of the last 24 hours (v_user_activity)',
      access: MONITORS,
      responses: {
        200: { description: 'Activity', ...json(s.UserActivitySchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json({ data: await service.recentActivity(deps, orgOf(c)) }, 200),
  )

  return app
}
