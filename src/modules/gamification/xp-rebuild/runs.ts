import type { Selectable, Updateable } from 'kysely'
import type { Db } from '../../../core/db/database.ts'
import type { XpRebuildRow } from '../tables.ts'

// The rows of a school's XP rebuilds: one per request, with its progress.

export type XpRebuild = Selectable<XpRebuildRow>

export async function findRun(db: Db, orgId: string, id: string): Promise<XpRebuild | undefined> {
  return db
    .selectFrom('gamification_xp_rebuild')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** The school's latest run, whatever its status. */
export async function latestRun(db: Db, orgId: string): Promise<XpRebuild | undefined> {
  return db
    .selectFrom('gamification_xp_rebuild')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** The school's queued or running run (the index `gamification_xp_rebuild_one_active` allows one). */
export async function activeRun(db: Db, orgId: string): Promise<XpRebuild | undefined> {
  return db
    .selectFrom('gamification_xp_rebuild')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst()
}

/**
 * Inserts a queued run, numbered after the school's latest; false when the school already has one queued
 * or running, or when another request took the number first (both refused by unique indexes).
 */
export async function insertRun(db: Db, row: Omit<XpRebuildRow, 'number'>): Promise<boolean> {
  const number = ((await latestRun(db, row.org_id))?.number ?? 0) + 1
  const result = await db
    .insertInto('gamification_xp_rebuild')
    .values({ ...row, number })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

/** Changes a run; with `whenUpdatedAt`, only if nobody moved it since that read. Returns whether it did. */
export async function updateRun(
  db: Db,
  orgId: string,
  id: string,
  patch: Updateable<XpRebuildRow>,
  whenUpdatedAt?: string,
): Promise<boolean> {
  let query = db
    .updateTable('gamification_xp_rebuild')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
  if (whenUpdatedAt !== undefined) query = query.where('updated_at', '=', whenUpdatedAt)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
