import type { Db } from '../../../core/db/database.ts'
import type { Locale } from '../../identity/index.ts'
import { defaultBadges } from '../rules/default-badges.ts'
import type { AwardRow, BadgeRow, CounterRow } from '../tables.ts'
import { addToHistogram, addToScores, refreshScores } from './scores.ts'

// A school's badges, the awards students hold and the counters their criteria are judged on.

export async function badgesOf(db: Db, orgId: string, filter: { activeOnly?: boolean } = {}) {
  let query = db.selectFrom('gamification_badge').selectAll().where('org_id', '=', orgId)
  if (filter.activeOnly) query = query.where('active', '=', 1)
  return query.orderBy('created_at').orderBy('code').execute()
}

/** The badges of several schools at once (the reactor handles signals of many). */
export async function badgesOfOrgs(db: Db, orgIds: string[]) {
  if (orgIds.length === 0) return []
  return db.selectFrom('gamification_badge').selectAll().where('org_id', 'in', orgIds).execute()
}

export async function getBadge(db: Db, orgId: string, badgeId: string) {
  return db
    .selectFrom('gamification_badge')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', badgeId)
    .executeTakeFirst()
}

export async function findBadgeByCode(db: Db, orgId: string, code: string) {
  return db
    .selectFrom('gamification_badge')
    .select('id')
    .where('org_id', '=', orgId)
    .where('code', '=', code)
    .executeTakeFirst()
}

/** Inserts badges; one already there (same id) is left as it was, admins' changes included. */
export async function insertBadges(db: Db, rows: BadgeRow[]) {
  if (rows.length === 0) return
  await db
    .insertInto('gamification_badge')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}

/**
 * Gives a school the default badges it does not have yet, as if they had existed since `at` (the school's
 * creation), named in its language.
 */
export async function ensureDefaultBadges(db: Db, orgId: string, at: string, locale: Locale) {
  const ids = defaultBadges.map((b) => `${orgId}:${b.code}`)
  const existing = await db
    .selectFrom('gamification_badge')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute()
  if (existing.length === ids.length) return
  await insertBadges(
    db,
    defaultBadges.map((b) => ({
      id: `${orgId}:${b.code}`,
      org_id: orgId,
      code: b.code,
      key: b.code,
      name: b.name[locale],
      description: b.description[locale],
      icon: b.icon,
      criteria_json: JSON.stringify(b.criteria),
      points_reward: b.points_reward,
      active: 1,
      active_periods_json: JSON.stringify([{ from: at, until: null }]),
      created_at: at,
      updated_at: at,
    })),
  )
}

export async function updateBadge(
  db: Db,
  orgId: string,
  badgeId: string,
  patch: Partial<Omit<BadgeRow, 'id' | 'org_id' | 'code' | 'created_at'>>,
) {
  await db
    .updateTable('gamification_badge')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', badgeId)
    .execute()
}

/** How many students hold each badge of the school. */
export async function awardCounts(db: Db, orgId: string) {
  const rows = await db
    .selectFrom('gamification_award')
    .select(['badge_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('org_id', '=', orgId)
    .groupBy('badge_id')
    .execute()
  return new Map(rows.map((r) => [r.badge_id, Number(r.n)]))
}

export async function hasAwards(db: Db, orgId: string, badgeId: string) {
  const row = await db
    .selectFrom('gamification_award')
    .select('id')
    .where('org_id', '=', orgId)
    .where('badge_id', '=', badgeId)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** The ids of the awards these students of the school hold. */
export async function awardIdsOf(db: Db, orgId: string, studentIds: string[]) {
  if (studentIds.length === 0) return []
  const rows = await db
    .selectFrom('gamification_award')
    .select('id')
    .where('org_id', '=', orgId)
    .where('student_id', 'in', studentIds)
    .execute()
  return rows.map((r) => r.id)
}

/**
 * Adds awards; one already there (same badge and student) is kept as it was. Returns those inserted, whose
 * students' badge counts grow in the same statement's transaction.
 */
export async function addAwards(db: Db, awards: AwardRow[]): Promise<AwardRow[]> {
  const inserted: AwardRow[] = []
  for (let i = 0; i < awards.length; i += 500) {
    const rows = await db
      .insertInto('gamification_award')
      .values(awards.slice(i, i + 500))
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .execute()
    inserted.push(...rows)
  }
  await addToHistogram(
    db,
    await addToScores(
      db,
      inserted.map((a) => ({ org_id: a.org_id, student_id: a.student_id, points: 0, badges: 1 })),
    ),
  )
  return inserted
}

/** A student's awards with their badges, latest first. */
export async function awardsOf(db: Db, orgId: string, studentId: string, limit?: number) {
  let query = db
    .selectFrom('gamification_award as a')
    .innerJoin('gamification_badge as b', 'b.id', 'a.badge_id')
    .select([
      'a.id',
      'a.badge_id',
      'a.awarded_at',
      'a.points',
      'b.code',
      'b.key',
      'b.name',
      'b.description',
      'b.icon',
      'b.criteria_json',
    ])
    .where('a.org_id', '=', orgId)
    .where('a.student_id', '=', studentId)
    .orderBy('a.awarded_at', 'desc')
    .orderBy('a.id')
  if (limit !== undefined) query = query.limit(limit)
  return query.execute()
}

export async function countAwardsOf(db: Db, orgId: string, studentId: string) {
  const row = await db
    .selectFrom('gamification_award')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** The counters of these students of the school (all of their keys, or only `keys`). */
export async function countersOf(db: Db, orgId: string, studentIds?: string[], keys?: string[]) {
  if (studentIds?.length === 0 || keys?.length === 0) return []
  let query = db
    .selectFrom('gamification_counter')
    .select(['student_id', 'key', 'value'])
    .where('org_id', '=', orgId)
  if (studentIds) query = query.where('student_id', 'in', studentIds)
  if (keys) query = query.where('key', 'in', keys)
  return query.execute()
}

export async function saveCounters(db: Db, rows: CounterRow[]) {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('gamification_counter')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc
          .columns(['org_id', 'student_id', 'key'])
          .doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
      )
      .execute()
  }
}

/** Empties what the badges reactor derives (counters, awards), before its rebuild; badges stay. */
export async function deleteAwardsAndCounters(db: Db) {
  await db.deleteFrom('gamification_counter').execute()
  await db.deleteFrom('gamification_award').execute()
  await db.updateTable('gamification_score').set({ badges_count: 0 }).execute()
  await refreshScores(db)
}
