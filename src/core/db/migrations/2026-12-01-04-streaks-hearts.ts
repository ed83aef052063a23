import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Streaks and hearts, both kept by gamification's reactors from the signal log (rebuildable):
// - the days each student was active (school time zone), the closed days of each streak
//   (`v_streak_history`, from STREAK_DAY signals) and where each streak stands;
// - each student's hearts, with when the current regeneration period started.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('gamification_activity_day')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('gamification_activity_day_pk', ['org_id', 'student_id', 'day'])
    .execute()
  // The daily close reads a school's recent days for all its students.
  await db.schema
    .createIndex('gamification_activity_day_org_day')
    .on('gamification_activity_day')
    .columns(['org_id', 'day'])
    .execute()

  await db.schema
    .createTable('v_streak_history')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('frozen', 'integer', (c) => c.notNull())
    .addColumn('streak_length', 'integer', (c) => c.notNull())
    .addColumn('freezes_held', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('v_streak_history_pk', ['org_id', 'student_id', 'day'])
    .execute()

  await db.schema
    .createTable('gamification_streak')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('last_closed_day', 'text', (c) => c.notNull())
    .addColumn('streak_length', 'integer', (c) => c.notNull())
    .addColumn('longest', 'integer', (c) => c.notNull())
    .addColumn('freezes_held', 'integer', (c) => c.notNull())
    .addColumn('last_active_day', 'text')
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('gamification_streak_pk', ['org_id', 'student_id'])
    .execute()

  await db.schema
    .createTable('hearts')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('hearts', 'integer', (c) => c.notNull())
    .addColumn('max_hearts', 'integer', (c) => c.notNull())
    .addColumn('refill_anchor_at', t.timestamp)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('hearts_pk', ['org_id', 'student_id'])
    .execute()
  // Who is out of hearts, or regenerating, in a school.
  await db.schema.createIndex('hearts_org_hearts').on('hearts').columns(['org_id', 'hearts']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['hearts', 'gamification_streak', 'v_streak_history', 'gamification_activity_day']) {
    await db.schema.dropTable(table).execute()
  }
}
