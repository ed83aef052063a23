import type { Db } from '../../../core/db/database.ts'

// Each school's gamification settings, stored as JSON (read through rules/settings.ts).

export async function findSettings(db: Db, orgId: string) {
  const row = await db
    .selectFrom('gamification_settings')
    .select('settings_json')
    .where('org_id', '=', orgId)
    .executeTakeFirst()
  return row?.settings_json ?? null
}

/** The stored settings of several schools at once (reactors handle signals of many). */
export async function findSettingsOf(db: Db, orgIds: string[]) {
  if (orgIds.length === 0) return new Map<string, string>()
  const rows = await db
    .selectFrom('gamification_settings')
    .select(['org_id', 'settings_json'])
    .where('org_id', 'in', orgIds)
    .execute()
  return new Map(rows.map((r) => [r.org_id, r.settings_json]))
}

export async function saveSettings(db: Db, orgId: string, settingsJson: string, at: string) {
  await db
    .insertInto('gamification_settings')
    .values({ org_id: orgId, settings_json: settingsJson, updated_at: at })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ settings_json: settingsJson, updated_at: at }))
    .execute()
}

/** An XP entry with its week (`xp_ledger.week`), which the caller dates in the school's time zone. */
