import { type AliasedSelectQueryBuilder, sql } from 'kysely'
import type { Db } from '../../../core/db/database.ts'

// Students' scores, all time and weekly, kept by every XP write, and the leaderboards read from them.

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
export async function addToScores(db: Db, deltas: ScoreDelta[]): Promise<HistogramDelta[]> {
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
export async function addToWeekScores(
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
export async function addToHistogram(db: Db, deltas: HistogramDelta[]) {
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
