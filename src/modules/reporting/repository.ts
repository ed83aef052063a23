import { PostgresAdapter, sql } from 'kysely'
import type { Db } from '../../core/db/database.ts'

// Reporting's reads of the event log. Activity is dated by the server's receive time, as progress and
// signals are: a client's `occurred_at` is informative only (except in the daily statistics, which mirror
// seed 001's view).

/** Events per day (UTC) and type of one organisation, between two instants (seed 001's v_event_daily_stats). */
export async function eventDailyStats(db: Db, orgId: string, from: string, to: string) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const day = postgres
    ? sql<string>`to_char(occurred_at, 'YYYY-MM-DD')`
    : sql<string>`substr(occurred_at, 1, 10)`
  const rows = await db
    .selectFrom('lms_event')
    .select([day.as('day'), 'type', (eb) => eb.fn.countAll<number | string>().as('events')])
    .where('org_id', '=', orgId)
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .groupBy([day, 'type'])
    .orderBy(day)
    .orderBy('type')
    .execute()
  return rows.map((r) => ({ day: r.day, type: r.type, events: Number(r.events) }))
}

/** Per student: the last event and how many arrived since `since` (seed 001's v_user_activity). */
export async function userActivity(db: Db, orgId: string, since: string) {
  const rows = await db
    .selectFrom('lms_event')
    .select([
      'student_id',
      (eb) => eb.fn.max('received_at').as('last_event_at'),
      (eb) =>
        eb.fn
          .sum<number | string>(eb.case().when('received_at', '>=', since).then(1).else(0).end())
          .as('recent'),
    ])
    .where('org_id', '=', orgId)
    .groupBy('student_id')
    .orderBy('last_event_at', 'desc')
    .execute()
  return rows.map((r) => ({
    student_id: r.student_id,
    last_event_at: String(r.last_event_at),
    events_since: Number(r.recent ?? 0),
  }))
}

/** How many distinct students had at least one event since each of these instants, in the same order. */
export async function activeStudentsSince(db: Db, orgId: string, sinces: string[]): Promise<number[]> {
  if (sinces.length === 0) return []
  const earliest = [...sinces].sort()[0] as string
  const counts = sinces.map(
    (since) => sql<number | string>`count(distinct case when received_at >= ${since} then student_id end)`,
  )
  const row = await db
    .selectFrom('lms_event')
    .select(counts.map((count, i) => count.as(`n${i}`)))
    .where('org_id', '=', orgId)
    .where('received_at', '>=', earliest)
    .executeTakeFirst()
  const values = (row ?? {}) as Record<string, number | string | null>
  return sinces.map((_, i) => Number(values[`n${i}`] ?? 0))
}

/**
 * Events received in each interval between consecutive boundaries (ascending instants): `counts[i]` is for
 * `[boundaries[i], boundaries[i + 1])`. Boundaries are computed by the caller, so intervals can be days of
 * any time zone, which neither SQLite nor a portable SQL expression could group by.
 */
export async function eventCountsBetween(db: Db, orgId: string, boundaries: string[]): Promise<number[]> {
  if (boundaries.length < 2) return []
  const ends = boundaries.slice(1)
  const branches = sql.join(
    ends.map((end, i) => sql`when received_at < ${end} then ${sql.lit(i)}`),
    sql` `,
  )
  const buckets = db
    .selectFrom('lms_event')
    .select(sql<number>`case ${branches} end`.as('bucket'))
    .where('org_id', '=', orgId)
    .where('received_at', '>=', boundaries[0] as string)
    .where('received_at', '<', ends[ends.length - 1] as string)
  // Grouped outside: PostgreSQL would not match a GROUP BY expression whose parameters are numbered anew.
  const rows = await db
    .selectFrom(buckets.as('e'))
    .select(['bucket', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('bucket')
    .execute()
  const counts = ends.map(() => 0)
  for (const row of rows) counts[Number(row.bucket)] = Number(row.n)
  return counts
}

/** Per student (or for one) and step of these courses: the first and the last event received on it. */
export async function stepActivity(db: Db, orgId: string, courseIds: string[], studentId?: string) {
  if (courseIds.length === 0) return []
  let query = db
    .selectFrom('lms_event')
    .select([
      'student_id',
      'course_id',
      'class_id',
      (eb) => eb.fn.min('received_at').as('first_at'),
      (eb) => eb.fn.max('received_at').as('last_at'),
    ])
    .where('org_id', '=', orgId)
    .where('course_id', 'in', courseIds)
  if (studentId) query = query.where('student_id', '=', studentId)
  const rows = await query.groupBy(['student_id', 'course_id', 'class_id']).execute()
  return rows.map((r) => ({
    student_id: r.student_id,
    course_id: r.course_id,
    class_id: r.class_id,
    first_at: String(r.first_at),
    last_at: String(r.last_at),
  }))
}
