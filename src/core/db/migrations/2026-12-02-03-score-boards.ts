import { type Kysely, sql } from 'kysely'
import { localWeek, startOfLocalWeek } from '../../calendar.ts'

// Leaderboards that stay fast at 100,000 students (issue 5). Each XP ledger entry is dated with its week
// (the local date of its Monday, in the school's time zone when it was written), and each student's XP of
// each week is kept in `gamification_week_score`, indexed in ranking order like the all-time scores. A
// histogram (how many students have each total, per board: 'all' or a week) gives totals, ranks and the
// start of a deep page from a few hundred rows instead of counting 100,000.

const WEEK_MS = 7 * 86_400_000

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('xp_ledger')
    .addColumn('week', 'text', (c) => c.notNull().defaultTo(''))
    .execute()
  await dateLedgerWeeks(db)

  await db.schema
    .createTable('gamification_week_score')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('week', 'text', (c) => c.notNull())
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('total_points', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('gamification_week_score_pk', ['org_id', 'week', 'student_id'])
    .execute()
  await db.schema
    .createIndex('gamification_week_score_rank')
    .on('gamification_week_score')
    .columns(['org_id', 'week', 'total_points desc', 'student_id'])
    .execute()
  await sql`insert into gamification_week_score (org_id, week, student_id, total_points)
    select org_id, week, student_id, sum(points) from xp_ledger group by org_id, week, student_id`.execute(db)

  await db.schema
    .createTable('gamification_score_histogram')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('board', 'text', (c) => c.notNull())
    .addColumn('total_points', 'integer', (c) => c.notNull())
    .addColumn('students', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('gamification_score_histogram_pk', ['org_id', 'board', 'total_points'])
    .execute()
  await sql`insert into gamification_score_histogram (org_id, board, total_points, students)
    select org_id, 'all', total_points, count(*) from gamification_score group by org_id, total_points`.execute(
    db,
  )
  await sql`insert into gamification_score_histogram (org_id, board, total_points, students)
    select org_id, week, total_points, count(*) from gamification_week_score
    group by org_id, week, total_points`.execute(db)
}

/** Dates every ledger entry with its week in its school's time zone, one range update per school and week. */
async function dateLedgerWeeks(db: Kysely<unknown>) {
  const { rows: spans } = await sql<{ org_id: string; timezone: string; first: string }>`
    select x.org_id, o.timezone, min(x.occurred_at) as first from xp_ledger x
    join organisations o on o.id = x.org_id group by x.org_id, o.timezone`.execute(db)
  for (const { org_id, timezone, first } of spans) {
    let start = startOfLocalWeek(new Date(first), timezone)
    // The last week is open-ended: entries dated after the migration's clock still get a week.
    for (let done = false; !done; ) {
      // A week lasts 167 to 169 hours across daylight saving changes: 169 hours always reach the next one.
      const next = startOfLocalWeek(new Date(start.getTime() + WEEK_MS + 3_600_000), timezone)
      done = next.getTime() > Date.now()
      const until = done ? sql`` : sql`and occurred_at < ${next.toISOString()}`
      await sql`update xp_ledger set week = ${localWeek(start, timezone)}
        where org_id = ${org_id} and occurred_at >= ${start.toISOString()} ${until}`.execute(db)
      start = next
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('gamification_score_histogram').execute()
  await db.schema.dropTable('gamification_week_score').execute()
  await db.schema.alterTable('xp_ledger').dropColumn('week').execute()
}
