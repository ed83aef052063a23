import { startOfLocalWeek } from '../../core/calendar.ts'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import * as identity from '../identity/index.ts'
import * as repo from './repository.ts'
import { levelOf } from './rules/levels.ts'
import { type GamificationSettingsPatch, mergeSettings, readSettings } from './rules/settings.ts'

export type GamificationDeps = {
  db: Db
  clock: Clock
  identity: identity.IdentityDeps
}

/** The school's time zone: its days close streaks, its weeks window XP and leaderboards. */
export async function timezoneOf(deps: GamificationDeps, orgId: string): Promise<string> {
  return (await identity.getOrganisation(deps.identity, orgId)).timezone
}

export async function settingsOf(deps: GamificationDeps, orgId: string) {
  return readSettings(await repo.findSettings(deps.db, orgId))
}

/**
 * Changes a school's settings. New amounts apply to what happens next; `sillon projections rebuild
 * gamification_xp` pays everyone again at the new amounts.
 */
export async function updateSettings(
  deps: GamificationDeps,
  orgId: string,
  patch: GamificationSettingsPatch,
) {
  const next = mergeSettings(await settingsOf(deps, orgId), patch)
  await repo.saveSettings(deps.db, orgId, JSON.stringify(next), deps.clock.now().toISOString())
  return next
}

/** A student's XP: total, this week (from Monday 00:00 in the school's time zone), level. */
export async function xpSummary(deps: GamificationDeps, orgId: string, studentId: string) {
  const since = startOfLocalWeek(deps.clock.now(), await timezoneOf(deps, orgId)).toISOString()
  const { total, recent } = await repo.xpTotals(deps.db, orgId, studentId, since)
  return { total, this_week: recent, week_start: since, level: levelOf(total) }
}

export async function xpHistory(deps: GamificationDeps, orgId: string, studentId: string, limit = 50) {
  return repo.xpEntriesOf(deps.db, orgId, studentId, limit)
}
