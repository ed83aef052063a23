import { sql } from 'kysely'
import type { Db } from '../../../core/db/database.ts'

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
