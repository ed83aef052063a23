import { badRequest } from '../../../core/http/errors.ts'
import * as progress from '../../progress/index.ts'
import type { ReportingDeps } from '../deps.ts'
import { eventDailyStats, userActivity } from '../repository.ts'
import { DAY_MS } from '../rules/at-risk.ts'
import { activityView } from './presenters.ts'

// Monitoring views of seed 001, computed on demand from the event log and the signals.

export async function dailyEventStats(
  deps: ReportingDeps,
  orgId: string,
  range: { from?: string; to?: string },
) {
  const today = deps.clock.now().toISOString().slice(0, 10)
  const to = range.to ?? today
  const from = range.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10)
  if (from > to) throw badRequest('invalid_range', '"from" must not be after "to"')
  if (Date.parse(to) - Date.parse(from) > 366 * DAY_MS)
    throw badRequest('invalid_range', 'Ask for a year at most')
  const end = new Date(Date.parse(to) + DAY_MS).toISOString()
  return eventDailyStats(deps.db, orgId, new Date(from).toISOString(), end)
}

export async function recentActivity(deps: ReportingDeps, orgId: string) {
  const since = new Date(deps.clock.now().getTime() - DAY_MS).toISOString()
  const rows = await userActivity(deps.db, orgId, since)
  return rows.map(activityView)
}

export async function signalSummary(deps: ReportingDeps, orgId: string) {
  return progress.signalSummary(deps.progress, orgId)
}
