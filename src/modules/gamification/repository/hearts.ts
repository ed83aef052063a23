import { sql } from 'kysely'
import type { Db } from '../../../core/db/database.ts'
import { signalId } from '../../progress/index.ts'
import type { HeartsRow } from '../tables.ts'

// Each student's hearts, and the quiz attempts the hearts reactor has yet to read.

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
