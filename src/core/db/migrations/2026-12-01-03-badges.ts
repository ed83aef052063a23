import { type Kysely, sql } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Badges and leaderboards. A school's badge definitions (admin-owned, never replayed), the awards and
// per-student counters the badges reactor derives from signals, and each student's score (total XP and
// badges), kept in step with the XP ledger and the awards so the all-time leaderboard reads an index
// instead of summing the ledger of 100k students.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('gamification_badge')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('icon', 'text')
    .addColumn('criteria_json', 'text', (c) => c.notNull())
    .addColumn('points_reward', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('active_periods_json', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('gamification_badge_org_code')
    .unique()
    .on('gamification_badge')
    .columns(['org_id', 'code'])
    .execute()

  await db.schema
    .createTable('gamification_award')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('badge_id', 'text', (c) => c.notNull().references('gamification_badge.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('awarded_at', t.timestamp, (c) => c.notNull())
    .addColumn('source_signal_id', 'text')
    .addColumn('points', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('gamification_award_badge_student')
    .unique()
    .on('gamification_award')
    .columns(['badge_id', 'student_id'])
    .execute()
  await db.schema
    .createIndex('gamification_award_org_student')
    .on('gamification_award')
    .columns(['org_id', 'student_id', 'awarded_at'])
    .execute()
  await db.schema
    .createIndex('gamification_award_org_badge')
    .on('gamification_award')
    .columns(['org_id', 'badge_id'])
    .execute()

  await db.schema
    .createTable('gamification_counter')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('gamification_counter_pk', ['org_id', 'student_id', 'key'])
    .execute()

  await db.schema
    .createTable('gamification_score')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('total_points', 'integer', (c) => c.notNull())
    .addColumn('badges_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('gamification_score_pk', ['org_id', 'student_id'])
    .execute()
  // The leaderboard's order (points down, then student id up for a stable page) read straight off the index.
  await db.schema
    .createIndex('gamification_score_org_rank')
    .on('gamification_score')
    .columns(['org_id', 'total_points desc', 'student_id'])
    .execute()
  // Schools that already have XP start with their score; they hold no badge yet.
  await sql`insert into gamification_score (org_id, student_id, total_points, badges_count)
    select org_id, student_id, sum(points), 0 from xp_ledger group by org_id, student_id`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'gamification_score',
    'gamification_counter',
    'gamification_award',
    'gamification_badge',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
