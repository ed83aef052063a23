import type { Db } from '../../core/db/database.ts'
import type { TallyInboxRow } from './tables.ts'

// The core Database type does not list tracking's own tables yet; widen the builder with them.

/**
 * Keeps a Tally response for staff to inspect. Idempotent per school and Tally event: a retry updates the
 * reason and time of the row it already made.
 */
export async function keepInTallyInbox(
  db: Db,
  orgId: string | null,
  row: Omit<TallyInboxRow, 'id' | 'org_id'>,
) {
  await db
    .insertInto('tally_inbox')
    .values({ ...row, id: `${orgId ?? 'none'}:${row.tally_event_id}`, org_id: orgId })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ code: row.code, reason: row.reason, received_at: row.received_at }),
    )
    .execute()
}

export async function listTallyInbox(db: Db, orgId: string, page: { limit: number; offset: number }) {
  return db
    .selectFrom('tally_inbox')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
}
