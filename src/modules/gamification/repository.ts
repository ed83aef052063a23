import type { Db } from '../../core/db/database.ts'
import type { XpEntry } from './rules/xp.ts'
import type { XpCause } from './tables.ts'

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

/** Adds XP entries; an entry already there (same id) is kept as it was. */
export async function addXp(db: Db, entries: XpEntry[], at: string) {
  for (let i = 0; i < entries.length; i += 500) {
    await db
      .insertInto('xp_ledger')
      .values(entries.slice(i, i + 500).map((e) => ({ ...e, created_at: at })))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
  }
}

export async function deleteXpOfCauses(db: Db, causes: XpCause[]) {
  await db.deleteFrom('xp_ledger').where('cause', 'in', causes).execute()
}

/** Total XP of a student, and what they earned since `since`. */
export async function xpTotals(db: Db, orgId: string, studentId: string, since: string) {
  const row = await db
    .selectFrom('xp_ledger')
    .select((eb) => [
      eb.fn.sum<number | string | null>('points').as('total'),
      eb.fn
        .sum<number | string | null>(
          eb.case().when('occurred_at', '>=', since).then(eb.ref('points')).else(0).end(),
        )
        .as('recent'),
    ])
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .executeTakeFirst()
  return { total: Number(row?.total ?? 0), recent: Number(row?.recent ?? 0) }
}

export async function xpEntriesOf(db: Db, orgId: string, studentId: string, limit: number) {
  return db
    .selectFrom('xp_ledger')
    .select(['id', 'cause', 'subject_id', 'points', 'occurred_at'])
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
}
