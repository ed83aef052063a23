import { type AliasedSelectQueryBuilder, sql } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import type { Locale } from '../identity/index.ts'
import { signalId } from '../progress/index.ts'
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

/** An XP entry with its week (`xp_ledger.week`), which the caller dates in the school's time zone. */
export type WeeklyXpEntry = XpEntry & { week: string }

/**
 * Adds XP entries; an entry already there (same id) is kept as it was. The students' scores (all time and
 * of the entry's week) and the boards' histograms grow by what was actually inserted, in the same
 * transaction.
 */
export async function addXp(db: Db, entries: WeeklyXpEntry[], at: string) {
  if (entries.length === 0) return
  const write = async (trx: Db) => {
    const inserted: { org_id: string; week: string; student_id: string; points: number }[] = []
    for (let i = 0; i < entries.length; i += 500) {
      const rows = await trx
        .insertInto('xp_ledger')
        .values(entries.slice(i, i + 500).map((e) => ({ ...e, created_at: at })))
        .onConflict((oc) => oc.column('id').doNothing())
        .returning(['org_id', 'week', 'student_id', 'points'])
        .execute()
      inserted.push(...rows)
    }
    const allTime = await addToScores(
      trx,
      inserted.map((e) => ({ org_id: e.org_id, student_id: e.student_id, points: e.points, badges: 0 })),
    )
    const weekly = await addToWeekScores(trx, inserted)
    await addToHistogram(trx, [...allTime, ...weekly])
  }
  await (db.isTransaction ? write(db) : db.transaction().execute(write))
}

/** Deletes a reactor's XP (before its rebuild) and brings every score back to what the ledger holds. */
export async function deleteXpOfCauses(db: Db, causes: XpCause[]) {
  await db.deleteFrom('xp_ledger').where('cause', 'in', causes).execute()
  await refreshScores(db)
}

/**
 * Sets a school's XP entries among `ids` to `entries` (an XP rebuild at new amounts): an entry whose points
 * or week differ is written again, one no longer in `entries` is deleted, a missing one is added. Scores,
 * week scores and histograms move by the difference (additions, so a concurrent writer of badge XP loses
 * nothing). Returns how many entries changed. Run it in a transaction.
 */
export async function replaceXp(db: Db, orgId: string, ids: string[], entries: WeeklyXpEntry[], at: string) {
  const existing = new Map<string, { student_id: string; week: string; points: number }>()
  for (let i = 0; i < ids.length; i += 500) {
    // By primary key alone: with org_id too, SQLite's planner may walk the school's whole ledger instead.
    const rows = await db
      .selectFrom('xp_ledger')
      .select(['id', 'org_id', 'student_id', 'week', 'points'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute()
    for (const row of rows) if (row.org_id === orgId) existing.set(row.id, row)
  }
  const wanted = new Map(entries.map((e) => [e.id, e]))
  const written: WeeklyXpEntry[] = []
  const dropped: string[] = []
  const deltas: { org_id: string; week: string; student_id: string; points: number }[] = []
  for (const id of new Set([...existing.keys(), ...wanted.keys()])) {
    const old = existing.get(id)
    const next = wanted.get(id)
    if (old && next && old.points === next.points && old.week === next.week) continue
    if (old) deltas.push({ org_id: orgId, week: old.week, student_id: old.student_id, points: -old.points })
    if (next) {
      written.push(next)
      deltas.push({ org_id: orgId, week: next.week, student_id: next.student_id, points: next.points })
    } else dropped.push(id)
  }
  for (let i = 0; i < dropped.length; i += 500) {
    await db
      .deleteFrom('xp_ledger')
      .where('org_id', '=', orgId)
      .where('id', 'in', dropped.slice(i, i + 500))
      .execute()
  }
  for (let i = 0; i < written.length; i += 500) {
    await db
      .insertInto('xp_ledger')
      .values(written.slice(i, i + 500).map((e) => ({ ...e, created_at: at })))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          points: eb.ref('excluded.points'),
          week: eb.ref('excluded.week'),
        })),
      )
      .execute()
  }
  const allTime = await addToScores(
    db,
    deltas.map((d) => ({ org_id: d.org_id, student_id: d.student_id, points: d.points, badges: 0 })),
  )
  await addToHistogram(db, [...allTime, ...(await addToWeekScores(db, deltas))])
  return written.length + dropped.length
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

/** Where a reactor stands in the signal log (0 before its first run). */
export async function checkpointOf(db: Db, name: string): Promise<number> {
  const row = await db
    .selectFrom('projection_checkpoints')
    .select('seq')
    .where('name', '=', name)
    .executeTakeFirst()
  return Number(row?.seq ?? 0)
}

/**
 * A student's quiz attempts (QUIZ_SUBMIT events, oldest first) after the attempt `afterId` (all when null),
 * whose QUIZ_ATTEMPTED signal a reactor at `checkpoint` has not read yet (or that have none yet).
 */
export async function attemptsUnreadBy(
  db: Db,
  orgId: string,
  studentId: string,
  afterId: string | null,
  checkpoint: number,
) {
  const after = db
    .selectFrom('lms_event')
    .select('seq')
    .where('org_id', '=', orgId)
    .where('id', '=', afterId ?? '')
  const prefix = signalId('QUIZ_ATTEMPTED', studentId, '')
  return (
    db
      .selectFrom('lms_event as e')
      .leftJoin('lms_signal as s', (join) => join.on('s.id', '=', sql<string>`${prefix} || e.id`))
      .select(['e.seq', 'e.received_at', 'e.payload_json'])
      .where('e.org_id', '=', orgId)
      .where('e.student_id', '=', studentId)
      // A literal, so that SQLite can use the partial index on quiz attempts (not for a bound parameter).
      .where('e.type', '=', sql.lit('QUIZ_SUBMIT'))
      .where('e.seq', '>', (eb) => eb.fn.coalesce(after, eb.lit(0)))
      .where((eb) => eb.or([eb('s.seq', 'is', null), eb('s.seq', '>', checkpoint)]))
      .orderBy('e.seq')
      .execute()
  )
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
          last_attempt_event_id: eb.ref('excluded.last_attempt_event_id'),
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

// Scores and leaderboards

/** The board of all-time scores; any other board is a week (`xp_ledger.week`). */
export const ALL_TIME = 'all'

type ScoreDelta = { org_id: string; student_id: string; points: number; badges: number }
/** A change in how many students have `total_points` on a board. */
type HistogramDelta = { org_id: string; board: string; total_points: number; students: number }

/** Sums deltas by key, drops those that cancel out, sorted by key so concurrent writers lock rows in one order. */
function sumByKey<T>(
  rows: T[],
  key: (row: T) => string,
  add: (sum: T, row: T) => T,
  isZero: (row: T) => boolean,
) {
  const sums = new Map<string, T>()
  for (const row of rows) {
    const k = key(row)
    const sum = sums.get(k)
    sums.set(k, sum ? add(sum, row) : row)
  }
  return new Map([...sums].filter(([, sum]) => !isZero(sum)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** The histogram changes of a score that went from `before` points (undefined: a new score) to `after`. */
function moved(orgId: string, board: string, before: number | undefined, after: number): HistogramDelta[] {
  if (before === after) return []
  const gained = { org_id: orgId, board, total_points: after, students: 1 }
  return before === undefined ? [gained] : [{ ...gained, total_points: before, students: -1 }, gained]
}

/** Adds to students' all-time scores, creating them at need; returns the histogram changes this makes. */
async function addToScores(db: Db, deltas: ScoreDelta[]): Promise<HistogramDelta[]> {
  const sums = sumByKey(
    deltas,
    (d) => `${d.org_id}\u0000${d.student_id}`,
    (sum, d) => ({ ...sum, points: sum.points + d.points, badges: sum.badges + d.badges }),
    (d) => d.points === 0 && d.badges === 0,
  )
  const rows = [...sums.values()].map((d) => ({
    org_id: d.org_id,
    student_id: d.student_id,
    total_points: d.points,
    badges_count: d.badges,
  }))
  const counts: HistogramDelta[] = []
  for (let i = 0; i < rows.length; i += 500) {
    const after = await db
      .insertInto('gamification_score')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['org_id', 'student_id']).doUpdateSet((eb) => ({
          total_points: eb('gamification_score.total_points', '+', eb.ref('excluded.total_points')),
          badges_count: eb('gamification_score.badges_count', '+', eb.ref('excluded.badges_count')),
        })),
      )
      .returning(['org_id', 'student_id', 'total_points', 'badges_count'])
      .execute()
    for (const score of after) {
      const d = sums.get(`${score.org_id}\u0000${score.student_id}`) as ScoreDelta
      // No score is left at 0 points and 0 badges (refreshScores deletes them): one equal to its delta is new.
      const created = score.total_points === d.points && score.badges_count === d.badges
      const before = created ? undefined : score.total_points - d.points
      if (score.total_points !== 0 || score.badges_count !== 0) {
        counts.push(...moved(score.org_id, ALL_TIME, before, score.total_points))
        continue
      }
      // Only an XP rebuild lowers a score: one it empties goes, as refreshScores would drop it.
      counts.push(...moved(score.org_id, ALL_TIME, before, 0).filter((h) => h.students < 0))
      await db
        .deleteFrom('gamification_score')
        .where('org_id', '=', score.org_id)
        .where('student_id', '=', score.student_id)
        .where('total_points', '=', 0)
        .where('badges_count', '=', 0)
        .execute()
    }
  }
  return counts
}

/** Adds XP to students' scores of its week, creating them at need; returns the histogram changes. */
async function addToWeekScores(
  db: Db,
  entries: { org_id: string; week: string; student_id: string; points: number }[],
): Promise<HistogramDelta[]> {
  const sums = sumByKey(
    entries,
    (e) => `${e.org_id}\u0000${e.week}\u0000${e.student_id}`,
    (sum, e) => ({ ...sum, points: sum.points + e.points }),
    (e) => e.points === 0,
  )
  const rows = [...sums.values()].map((e) => ({
    org_id: e.org_id,
    week: e.week,
    student_id: e.student_id,
    total_points: e.points,
  }))
  const counts: HistogramDelta[] = []
  for (let i = 0; i < rows.length; i += 500) {
    const after = await db
      .insertInto('gamification_week_score')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['org_id', 'week', 'student_id']).doUpdateSet((eb) => ({
          total_points: eb('gamification_week_score.total_points', '+', eb.ref('excluded.total_points')),
        })),
      )
      .returning(['org_id', 'week', 'student_id', 'total_points'])
      .execute()
    for (const score of after) {
      const points = sums.get(`${score.org_id}\u0000${score.week}\u0000${score.student_id}`)?.points ?? 0
      // A week's score is never 0 (XP is positive): one equal to what was added is new.
      const before = score.total_points === points ? undefined : score.total_points - points
      if (score.total_points !== 0) {
        counts.push(...moved(score.org_id, score.week, before, score.total_points))
        continue
      }
      // Only an XP rebuild lowers a week's score: one it empties goes, as refreshScores would drop it.
      counts.push(...moved(score.org_id, score.week, before, 0).filter((h) => h.students < 0))
      await db
        .deleteFrom('gamification_week_score')
        .where('org_id', '=', score.org_id)
        .where('week', '=', score.week)
        .where('student_id', '=', score.student_id)
        .where('total_points', '=', 0)
        .execute()
    }
  }
  return counts
}

/** Applies histogram changes. A total no student has any more keeps its row, at 0, until a rebuild. */
async function addToHistogram(db: Db, deltas: HistogramDelta[]) {
  const rows = [
    ...sumByKey(
      deltas,
      (d) => `${d.org_id}\u0000${d.board}\u0000${d.total_points}`,
      (sum, d) => ({ ...sum, students: sum.students + d.students }),
      (d) => d.students === 0,
    ).values(),
  ]
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('gamification_score_histogram')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['org_id', 'board', 'total_points']).doUpdateSet((eb) => ({
          students: eb('gamification_score_histogram.students', '+', eb.ref('excluded.students')),
        })),
      )
      .execute()
  }
}

/**
 * Brings every score (all time and weekly) back to what the ledger and the badge counts hold, drops those
 * left empty and counts the histograms again: what a replay makes (and a bulk load needs).
 */
export async function refreshScores(db: Db) {
  await sql`update gamification_score set total_points = coalesce((select sum(x.points) from xp_ledger x
    where x.org_id = gamification_score.org_id and x.student_id = gamification_score.student_id), 0)`.execute(
    db,
  )
  await db
    .deleteFrom('gamification_score')
    .where('total_points', '=', 0)
    .where('badges_count', '=', 0)
    .execute()
  await db.deleteFrom('gamification_week_score').execute()
  await sql`insert into gamification_week_score (org_id, week, student_id, total_points)
    select org_id, week, student_id, sum(points) from xp_ledger
    group by org_id, week, student_id having sum(points) <> 0`.execute(db)
  await db.deleteFrom('gamification_score_histogram').execute()
  await sql`insert into gamification_score_histogram (org_id, board, total_points, students)
    select org_id, ${ALL_TIME}, total_points, count(*) from gamification_score
    group by org_id, total_points`.execute(db)
  await sql`insert into gamification_score_histogram (org_id, board, total_points, students)
    select org_id, week, total_points, count(*) from gamification_week_score
    group by org_id, week, total_points`.execute(db)
}

type Score = { student_id: string; total_points: number }
type BoardScore = Score & { badges_count: number }
export type RankedScore = BoardScore & { rank: number }

/** The scores on a board, optionally of some students only, as `s`: what its rank index holds. */
function boardScores(
  db: Db,
  orgId: string,
  board: string,
  studentIds?: string[],
): AliasedSelectQueryBuilder<Score, 's'> {
  if (board === ALL_TIME) {
    let scores = db
      .selectFrom('gamification_score')
      .select(['student_id', 'total_points'])
      .where('org_id', '=', orgId)
    if (studentIds) scores = scores.where('student_id', 'in', studentIds)
    return scores.as('s')
  }
  let scores = db
    .selectFrom('gamification_week_score')
    .select(['student_id', 'total_points'])
    .where('org_id', '=', orgId)
    .where('week', '=', board)
  if (studentIds) scores = scores.where('student_id', 'in', studentIds)
  return scores.as('s')
}

/**
 * The rows of a slice of a board with the students' badge counts, joined once the slice is cut: the rows
 * an offset skips cost one entry of the rank index each, never a row of the table.
 */
async function withBadges(db: Db, orgId: string, slice: AliasedSelectQueryBuilder<Score, 'p'>) {
  const rows = await db
    .selectFrom(slice)
    .leftJoin('gamification_score as g', (join) =>
      join.on('g.org_id', '=', orgId).onRef('g.student_id', '=', 'p.student_id'),
    )
    .select(['p.student_id', 'p.total_points', 'g.badges_count'])
    .orderBy('p.total_points', 'desc')
    .orderBy('p.student_id')
    .execute()
  return rows.map((r): BoardScore => ({ ...r, badges_count: r.badges_count ?? 0 }))
}

type Histogram = AliasedSelectQueryBuilder<{ total_points: number; students: number }, 'h'>

/** How many students have each total on a board, as `h`: maintained for a school, counted for a team. */
function histogramOf(db: Db, orgId: string, board: string, studentIds?: string[]): Histogram {
  if (!studentIds) {
    return db
      .selectFrom('gamification_score_histogram')
      .select(['total_points', 'students'])
      .where('org_id', '=', orgId)
      .where('board', '=', board)
      .as('h')
  }
  return db
    .selectFrom(boardScores(db, orgId, board, studentIds))
    .select(['s.total_points', (eb) => eb.fn.countAll<number>().as('students')])
    .groupBy('s.total_points')
    .as('h')
}

/** How many students a histogram counts, or only those with more than `points`. */
async function studentsOf(db: Db, histogram: Histogram, morePointsThan?: number) {
  let query = db.selectFrom(histogram).select((eb) => eb.fn.sum<number | string | null>('h.students').as('n'))
  if (morePointsThan !== undefined) query = query.where('h.total_points', '>', morePointsThan)
  return Number((await query.executeTakeFirst())?.n ?? 0)
}

/** The total of the student at `offset` (0-based) in ranking order, and how many students have more. */
async function totalAt(db: Db, histogram: Histogram, offset: number) {
  const running = db
    .selectFrom(histogram)
    .select([
      'h.total_points',
      'h.students',
      (eb) =>
        eb.fn
          .sum<number | string>('h.students')
          .over((ob) => ob.orderBy('h.total_points', 'desc'))
          .as('through'),
    ])
    .as('r')
  const row = await db
    .selectFrom(running)
    .selectAll()
    .where('r.through', '>', offset)
    .orderBy('r.total_points', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row ? { points: row.total_points, above: Number(row.through) - Number(row.students) } : null
}

/**
 * Competition ranks (1, 1, 3) of a slice of a board in ranking order, whose first row has `above` students
 * ahead and sits at `position` (0-based). Nobody falls between two neighbours of the slice, so a row that
 * does not tie with the previous one has everyone before it ahead.
 */
function rankFrom(rows: BoardScore[], above: number, position: number): RankedScore[] {
  const ranked: RankedScore[] = []
  rows.forEach((row, i) => {
    const previous = ranked[i - 1]
    const rank = !previous
      ? above + 1
      : previous.total_points === row.total_points
        ? previous.rank
        : position + i + 1
    ranked.push({ ...row, rank })
  })
  return ranked
}

/**
 * Competition ranks of a slice of a board whose position is unknown (keyset paging): each total has the
 * students of the totals above it ahead, counted from the histogram.
 */
async function rankAfter(db: Db, histogram: Histogram, rows: BoardScore[]): Promise<RankedScore[]> {
  const first = rows[0]
  const last = rows.at(-1)
  if (!first || !last) return []
  const [above, counts] = await Promise.all([
    studentsOf(db, histogram, first.total_points),
    db
      .selectFrom(histogram)
      .select(['h.total_points', 'h.students'])
      .where('h.total_points', '>=', last.total_points)
      .where('h.total_points', '<=', first.total_points)
      .execute(),
  ])
  const students = new Map(counts.map((h) => [h.total_points, Number(h.students)]))
  let ahead = above
  return rows.map((row, i) => {
    const previous = rows[i - 1]
    if (previous && previous.total_points !== row.total_points)
      ahead += students.get(previous.total_points) ?? 0
    return { ...row, rank: ahead + 1 }
  })
}

export type BoardPage = {
  limit: number
  offset: number
  /** Start after this row (keyset paging: no rows skipped, however deep); `offset` is then ignored. */
  after?: { points: number; studentId: string }
  /** Rank these students only (a team). */
  studentIds?: string[]
}

/**
 * A page of a board (`ALL_TIME` or a week), points down then student id up: the order of its
 * `(org_id, [week,] total_points desc, student_id)` index. A deep offset starts at the total the histogram
 * places there, skipping only the students tied on it; `after` skips none.
 */
export async function boardPage(
  db: Db,
  orgId: string,
  board: string,
  page: BoardPage,
): Promise<{ rows: RankedScore[]; total: number }> {
  const { studentIds, limit } = page
  if (studentIds?.length === 0) return { rows: [], total: 0 }
  const histogram = histogramOf(db, orgId, board, studentIds)
  const ranking = () =>
    db
      .selectFrom(boardScores(db, orgId, board, studentIds))
      .selectAll('s')
      .orderBy('s.total_points', 'desc')
      .orderBy('s.student_id')
  const total = await studentsOf(db, histogram)
  if (page.after) {
    const { points, studentId } = page.after
    const tied = ranking().where('s.total_points', '=', points).where('s.student_id', '>', studentId)
    const rows = await withBadges(db, orgId, tied.limit(limit).as('p'))
    if (rows.length < limit) {
      const lower = ranking().where('s.total_points', '<', points)
      rows.push(...(await withBadges(db, orgId, lower.limit(limit - rows.length).as('p'))))
    }
    return { rows: await rankAfter(db, histogram, rows), total }
  }
  if (page.offset >= total) return { rows: [], total }
  const start = page.offset === 0 ? { points: null, above: 0 } : await totalAt(db, histogram, page.offset)
  if (!start) return { rows: [], total }
  let slice = ranking()
    .limit(limit)
    .offset(page.offset - start.above)
  if (start.points !== null) slice = slice.where('s.total_points', '<=', start.points)
  return { rows: rankFrom(await withBadges(db, orgId, slice.as('p')), start.above, page.offset), total }
}

/** A student's row on a board (0 points when they have none) and rank, among `studentIds` when given. */
export async function placeOnBoard(
  db: Db,
  orgId: string,
  board: string,
  studentId: string,
  studentIds?: string[],
): Promise<RankedScore> {
  const [own] = await withBadges(
    db,
    orgId,
    db
      .selectFrom(boardScores(db, orgId, board, [studentId]))
      .selectAll('s')
      .as('p'),
  )
  const points = own?.total_points ?? 0
  const ahead = await studentsOf(db, histogramOf(db, orgId, board, studentIds), points)
  const badges = own ? own.badges_count : ((await scoresOf(db, orgId, [studentId]))[0]?.badges_count ?? 0)
  return { student_id: studentId, total_points: points, badges_count: badges, rank: ahead + 1 }
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

// Rewards as the student sees them happen: each XP entry and award is traced to the signal that caused it
// (an award's XP entry through the award), whose `seq` orders them the way reactors applied them.

/** A student's XP entries with the signal that caused each (null: a badge that waited to become active). */
function xpWithCause(db: Db, orgId: string, studentId: string) {
  return db
    .selectFrom('xp_ledger as x')
    .leftJoin('gamification_award as a', (join) =>
      join.onRef('a.id', '=', 'x.subject_id').on('x.cause', '=', sql.lit('badge')),
    )
    .leftJoin('lms_signal as s', (join) =>
      join.on(
        's.id',
        '=',
        sql<string>`coalesce(${sql.ref('a.source_signal_id')}, ${sql.ref('x.subject_id')})`,
      ),
    )
    .where('x.org_id', '=', orgId)
    .where('x.student_id', '=', studentId)
}

/** A student's XP whose cause is at or before `seq` in the signal log (or has no signal). */
export async function xpThrough(db: Db, orgId: string, studentId: string, seq: number) {
  const row = await xpWithCause(db, orgId, studentId)
    .select((eb) => eb.fn.sum<number | string | null>('x.points').as('total'))
    .where((eb) => eb.or([eb('s.seq', 'is', null), eb('s.seq', '<=', seq)]))
    .executeTakeFirst()
  return Number(row?.total ?? 0)
}

/** A student's XP entries caused by signals in (`after`, `through`], in the order they happened. */
export async function xpCausedBetween(
  db: Db,
  orgId: string,
  studentId: string,
  after: number,
  through: number,
) {
  return xpWithCause(db, orgId, studentId)
    .select(['x.id', 'x.cause', 'x.points', 'x.occurred_at', 's.course_id', 's.class_id'])
    .where('s.seq', '>', after)
    .where('s.seq', '<=', through)
    .orderBy('s.seq')
    .orderBy('x.id')
    .execute()
}

function awardsWithCause(db: Db, orgId: string, studentId: string) {
  return db
    .selectFrom('gamification_award as a')
    .innerJoin('gamification_badge as b', 'b.id', 'a.badge_id')
    .innerJoin('lms_signal as s', 's.id', 'a.source_signal_id')
    .select([
      'a.badge_id',
      'a.awarded_at',
      'a.points',
      'b.code',
      'b.key',
      'b.name',
      'b.description',
      'b.icon',
    ])
    .where('a.org_id', '=', orgId)
    .where('a.student_id', '=', studentId)
}

/** A student's awards caused by signals in (`after`, `through`], in the order they happened. */
export async function awardsCausedBetween(
  db: Db,
  orgId: string,
  studentId: string,
  after: number,
  through: number,
) {
  return awardsWithCause(db, orgId, studentId)
    .where('s.seq', '>', after)
    .where('s.seq', '<=', through)
    .orderBy('s.seq')
    .orderBy('a.id')
    .execute()
}

/** A student's XP and awards caused by what they did in one course. */
export async function rewardsOfCourse(db: Db, orgId: string, studentId: string, courseId: string) {
  const [xp, awards] = await Promise.all([
    xpWithCause(db, orgId, studentId)
      .select((eb) => eb.fn.sum<number | string | null>('x.points').as('total'))
      .where('s.course_id', '=', courseId)
      .executeTakeFirst(),
    awardsWithCause(db, orgId, studentId).where('s.course_id', '=', courseId).orderBy('s.seq').execute(),
  ])
  return { xp: Number(xp?.total ?? 0), awards }
}
