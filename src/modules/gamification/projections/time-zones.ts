import { localWeek } from '../../../core/calendar.ts'
import type { Db } from '../../../core/db/database.ts'
import * as identity from '../../identity/index.ts'
import type { WeeklyXpEntry } from '../repository/index.ts'
import type { XpEntry } from '../rules/xp.ts'

/**
 * The time zone of each school, read in the reactor's own transaction (SQLite has one connection). A
 * school that changes its time zone keeps what was dated in the old one until a rebuild dates it again.
 */
export async function timezonesOf(deps: identity.IdentityDeps, db: Db, orgIds: string[]) {
  const zones = new Map<string, string>()
  for (const orgId of new Set(orgIds)) {
    zones.set(orgId, (await identity.getOrganisation({ ...deps, db }, orgId)).timezone)
  }
  return zones
}

const QUARTER_HOUR_MS = 15 * 60_000

/** XP entries dated with the week they count for, in their school's time zone. */
export async function weeklyXp(
  deps: identity.IdentityDeps,
  db: Db,
  entries: XpEntry[],
): Promise<WeeklyXpEntry[]> {
  if (entries.length === 0) return []
  const zones = await timezonesOf(
    deps,
    db,
    entries.map((e) => e.org_id),
  )
  // localWeek costs about 0.2 ms (date-fns' TZDate), and a batch often holds many entries of the same
  // quarter hour: every UTC offset is a whole number of quarter hours, so they share their local week.
  const weeks = new Map<string, string>()
  return entries.map((e) => {
    const zone = zones.get(e.org_id) as string
    const key = `${zone} ${Math.floor(Date.parse(e.occurred_at) / QUARTER_HOUR_MS)}`
    let week = weeks.get(key)
    if (week === undefined) {
      week = localWeek(e.occurred_at, zone)
      weeks.set(key, week)
    }
    return { ...e, week }
  })
}
