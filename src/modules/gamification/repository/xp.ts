import type { Db } from '../../../core/db/database.ts'
import type { XpEntry } from '../rules/xp.ts'
import type { XpCause } from '../tables.ts'
import { addToHistogram, addToScores, addToWeekScores, refreshScores } from './scores.ts'

// The XP ledger: one entry per cause and subject, and the totals read from it.

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
