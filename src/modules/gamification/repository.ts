import { sql } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import type { Locale } from '../identity/index.ts'
import { defaultBadges } from './rules/default-badges.ts'
import type { XpEntry } from './rules/xp.ts'
import type {
  ActivityDayRow,
  AwardRow,
  BadgeRow,
  CounterRow,
  HeartsRow,
  StreakHistoryRow,
  StreakRow,
  XpCause,
} from './tables.ts'

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

/**
 * Adds XP entries; an entry already there (same id) is kept as it was. The students' scores (leaderboard)
 * grow by what was actually inserted, in the same transaction.
 */
export async function addXp(db: Db, entries: XpEntry[], at: string) {
  if (entries.length === 0) return
  const write = async (trx: Db) => {
    for (let i = 0; i < entries.length; i += 500) {
      const inserted = await trx
        .insertInto('xp_ledger')
        .values(entries.slice(i, i + 500).map((e) => ({ ...e, created_at: at })))
        .onConflict((oc) => oc.column('id').doNothing())
        .returning(['org_id', 'student_id', 'points'])
        .execute()
      await addToScores(
        trx,
        inserted.map((e) => ({ org_id: e.org_id, student_id: e.student_id, points: e.points, badges: 0 })),
      )
    }
  }
  await (db.isTransaction ? write(db) : db.transaction().execute(write))
}

/** Deletes a reactor's XP (before its rebuild) and brings every score back to what the ledger holds. */
export async function deleteXpOfCauses(db: Db, causes: XpCause[]) {
  await db.deleteFrom('xp_ledger').where('cause', 'in', causes).execute()
  await refreshScorePoints(db)
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

// Streaks

export async function addActivityDays(db: Db, rows: ActivityDayRow[]) {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('gamification_activity_day')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['org_id', 'student_id', 'day']).doNothing())
      .execute()
  }
}

/** The days each student of a school was active, from `fromDay` to `toDay` (inclusive). */
export async function activityDaysOfOrg(db: Db, orgId: string, fromDay: string, toDay: string) {
  return db
    .selectFrom('gamification_activity_day')
    .select(['student_id', 'day'])
    .where('org_id', '=', orgId)
    .where('day', '>=', fromDay)
    .where('day', '<=', toDay)
    .execute()
}

export async function activityDaysOf(db: Db, orgId: string, studentId: string, fromDay: string) {
  const rows = await db
    .selectFrom('gamification_activity_day')
    .select('day')
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .where('day', '>=', fromDay)
    .execute()
  return rows.map((r) => r.day)
}

export async function saveStreakDays(db: Db, rows: StreakHistoryRow[]) {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('v_streak_history')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['org_id', 'student_id', 'day']).doUpdateSet((eb) => ({
          active: eb.ref('excluded.active'),
          frozen: eb.ref('excluded.frozen'),
          streak_length: eb.ref('excluded.streak_length'),
          freezes_held: eb.ref('excluded.freezes_held'),
        })),
      )
      .execute()
  }
}

export async function streakHistoryOf(
  db: Db,
  orgId: string,
  studentId: string,
  fromDay: string,
  toDay: string,
) {
  return db
    .selectFrom('v_streak_history')
    .select(['day', 'active', 'frozen', 'streak_length', 'freezes_held'])
    .where('org_id', '=', orgId)
    .where('student_id', '=', studentId)
    .where('day', '>=', fromDay)
    .where('day', '<=', toDay)
    .orderBy('day')
    .execute()
}

export async function streakStatesOf(db: Db, orgId: string, studentIds?: string[]) {
  if (studentIds?.length === 0) return []
  let query = db.selectFrom('gamification_streak').selectAll().where('org_id', '=', orgId)
  if (studentIds) query = query.where('student_id', 'in', studentIds)
  return query.execute()
}

export async function saveStreakStates(db: Db, rows: StreakRow[]) {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('gamification_streak')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['org_id', 'student_id']).doUpdateSet((eb) => ({
          last_closed_day: eb.ref('excluded.last_closed_day'),
          streak_length: eb.ref('excluded.streak_length'),
          longest: eb.ref('excluded.longest'),
          freezes_held: eb.ref('excluded.freezes_held'),
          last_active_day: eb.ref('excluded.last_active_day'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute()
  }
}

export async function deleteStreaks(db: Db) {
  for (const table of ['v_streak_history', 'gamification_streak', 'gamification_activity_day'] as const) {
    await db.deleteFrom(table).execute()
  }
}

// Hearts

export async function heartsRowsOf(db: Db, orgId: string, studentIds: string[]) {
  if (studentIds.length === 0) return []
  return db
    .selectFrom('hearts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('student_id', 'in', studentIds)
    .execute()
}

/** The hearts of students below `max` (out of hearts, or regenerating). */
export async function heartsBelow(db: Db, orgId: string, max: number) {
  return db
    .selectFrom('hearts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('hearts', '<', max)
    .orderBy('student_id')
    .execute()
}

/**
 * The schools with a student below full hearts: what the refill job goes through. Across schools on
 * purpose (the job serves them all); it reads no row of theirs.
 */
export async function orgsRegeneratingHearts(db: Db) {
  const rows = await db
    .selectFrom('hearts')
    .select('org_id')
    .distinct()
    .where('refill_anchor_at', 'is not', null)
    .execute()
  return rows.map((r) => r.org_id)
}

export async function saveHearts(db: Db, rows: HeartsRow[]) {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('hearts')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['org_id', 'student_id']).doUpdateSet((eb) => ({
          hearts: eb.ref('excluded.hearts'),
          max_hearts: eb.ref('excluded.max_hearts'),
          refill_anchor_at: eb.ref('excluded.refill_anchor_at'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute()
  }
}

export async function deleteHearts(db: Db) {
  await db.deleteFrom('hearts').execute()
}

// Badges

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
  await addToScores(
    db,
    inserted.map((a) => ({ org_id: a.org_id, student_id: a.student_id, points: 0, badges: 1 })),
  )
  return inserted
}

/** A student's awards with their badges, latest first. */
export async function awardsOf(db: Db, orgId: string, studentId: string, limit?: number) {
  let query = db
    .selectFrom('gamification_award as a')
    .innerJoin('gamification_badge as b', 'b.id', 'a.badge_id')
    .select(['a.id', 'a.badge_id', 'a.awarded_at', 'a.points', 'b.code', 'b.name', 'b.description', 'b.icon'])
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
}

// Scores and leaderboards

type ScoreDelta = { org_id: string; student_id: string; points: number; badges: number }

/** Adds to students' scores, creating them at need. Sorted, so concurrent writers lock rows in one order. */
async function addToScores(db: Db, deltas: ScoreDelta[]) {
  const sums = new Map<string, ScoreDelta>()
  for (const d of deltas) {
    const key = `${d.org_id}\u0000${d.student_id}`
    const sum = sums.get(key) ?? { ...d, points: 0, badges: 0 }
    sum.points += d.points
    sum.badges += d.badges
    sums.set(key, sum)
  }
  const rows = [...sums.entries()]
    .filter(([, d]) => d.points !== 0 || d.badges !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => ({
      org_id: d.org_id,
      student_id: d.student_id,
      total_points: d.points,
      badges_count: d.badges,
    }))
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('gamification_score')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['org_id', 'student_id']).doUpdateSet((eb) => ({
          total_points: eb('gamification_score.total_points', '+', eb.ref('excluded.total_points')),
          badges_count: eb('gamification_score.badges_count', '+', eb.ref('excluded.badges_count')),
        })),
      )
      .execute()
  }
}

/** Sets every score's points to the sum of the ledger and drops scores left empty: what a replay makes. */
async function refreshScorePoints(db: Db) {
  await sql`update gamification_score set total_points = coalesce((select sum(x.points) from xp_ledger x
    where x.org_id = gamification_score.org_id and x.student_id = gamification_score.student_id), 0)`.execute(
    db,
  )
  await db
    .deleteFrom('gamification_score')
    .where('total_points', '=', 0)
    .where('badges_count', '=', 0)
    .execute()
}

export type RankedScore = { student_id: string; total_points: number; badges_count: number; rank: number }

/**
 * A page of the all-time leaderboard (optionally among some students), points down then student id up:
 * the order of the `(org_id, total_points desc, student_id)` index. Ranks are competition ranks (1, 1, 3).
 */
export async function scorePage(
  db: Db,
  orgId: string,
  page: { limit: number; offset: number; studentIds?: string[] },
): Promise<{ rows: RankedScore[]; total: number }> {
  const { studentIds } = page
  if (studentIds?.length === 0) return { rows: [], total: 0 }
  let base = db.selectFrom('gamification_score').where('org_id', '=', orgId)
  if (studentIds) base = base.where('student_id', 'in', studentIds)
  const [rows, counted] = await Promise.all([
    base
      .select(['student_id', 'total_points', 'badges_count'])
      .orderBy('total_points', 'desc')
      .orderBy('student_id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
  ])
  const first = rows[0]
  const firstRank = first ? 1 + (await countScoresAbove(db, orgId, first.total_points, studentIds)) : 0
  const ranked: RankedScore[] = []
  rows.forEach((row, i) => {
    const previous = ranked[i - 1]
    const rank =
      i === 0 ? firstRank : previous?.total_points === row.total_points ? previous.rank : page.offset + i + 1
    ranked.push({ ...row, rank })
  })
  return { rows: ranked, total: Number(counted?.n ?? 0) }
}

/** How many students (of the school, or among `studentIds`) have more points than `points`. */
export async function countScoresAbove(db: Db, orgId: string, points: number, studentIds?: string[]) {
  let query = db
    .selectFrom('gamification_score')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('org_id', '=', orgId)
    .where('total_points', '>', points)
  if (studentIds) query = query.where('student_id', 'in', studentIds)
  return Number((await query.executeTakeFirst())?.n ?? 0)
}

export async function scoresOf(db: Db, orgId: string, studentIds: string[]) {
  if (studentIds.length === 0) return []
  return db
    .selectFrom('gamification_score')
    .select(['student_id', 'total_points', 'badges_count'])
    .where('org_id', '=', orgId)
    .where('student_id', 'in', studentIds)
    .execute()
}

/** Students ranked by the XP they earned since `since` (optionally among some), with competition ranks. */
function weeklyRanking(db: Db, orgId: string, since: string, studentIds?: string[]) {
  let totals = db
    .selectFrom('xp_ledger')
    .select(['student_id', (eb) => eb.fn.sum<number | string>('points').as('total')])
    .where('org_id', '=', orgId)
    .where('occurred_at', '>=', since)
  if (studentIds) totals = totals.where('student_id', 'in', studentIds)
  return db
    .selectFrom(totals.groupBy('student_id').as('w'))
    .select(['w.student_id', 'w.total', sql<number | string>`rank() over (order by w.total desc)`.as('rank')])
}

export async function weeklyPage(
  db: Db,
  orgId: string,
  since: string,
  page: { limit: number; offset: number; studentIds?: string[] },
) {
  if (page.studentIds?.length === 0) return { rows: [], total: 0 }
  const ranking = weeklyRanking(db, orgId, since, page.studentIds)
  const [rows, counted] = await Promise.all([
    db
      .selectFrom(ranking.as('r'))
      .selectAll()
      .orderBy('r.total', 'desc')
      .orderBy('r.student_id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom(ranking.as('r'))
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst(),
  ])
  return {
    rows: rows.map((r) => ({
      student_id: r.student_id,
      total_points: Number(r.total),
      rank: Number(r.rank),
    })),
    total: Number(counted?.n ?? 0),
  }
}

/** One student's place in the weekly ranking; null when they earned nothing since `since`. */
export async function weeklyRowOf(
  db: Db,
  orgId: string,
  since: string,
  studentId: string,
  studentIds?: string[],
) {
  if (studentIds?.length === 0) return null
  const row = await db
    .selectFrom(weeklyRanking(db, orgId, since, studentIds).as('r'))
    .selectAll()
    .where('r.student_id', '=', studentId)
    .executeTakeFirst()
  return row ? { total_points: Number(row.total), rank: Number(row.rank) } : null
}

/** How many students earned more than `points` XP since `since` (the rank of one who earned `points`, less 1). */
export async function countWeeklyAbove(
  db: Db,
  orgId: string,
  since: string,
  points: number,
  studentIds?: string[],
) {
  if (studentIds?.length === 0) return 0
  const row = await db
    .selectFrom(weeklyRanking(db, orgId, since, studentIds).as('r'))
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('r.total', '>', points)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}
