import type { Db } from '../../../core/db/database.ts'
import type { ActivityDayRow, StreakHistoryRow, StreakRow } from '../tables.ts'

// Active days, closed streak days and where each student's streak stands.

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
