import type { Db } from '../../core/db/database.ts'
import { decodeEvent, findEventsByIds } from '../../core/events/event-store.ts'
import { type TrackingEvent, trackingEvents } from './contract.ts'
import type { TallyInboxRow, TallyRejectionRow } from './tables.ts'

/** The school's stored events with these ids, decoded (a resend is judged by what was stored). */
export async function storedEvents(db: Db, orgId: string, ids: string[]): Promise<TrackingEvent[]> {
  return (await findEventsByIds(db, orgId, ids)).map((event) => decodeEvent(trackingEvents, event))
}

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

/** Records a rejected delivery, then forgets the school's oldest ones beyond `keep`. */
export async function keepTallyRejection(
  db: Db,
  orgId: string,
  row: Omit<TallyRejectionRow, 'org_id'>,
  keep: number,
) {
  await db
    .insertInto('tally_rejections')
    .values({ ...row, org_id: orgId })
    .execute()
  await forgetTallyRejectionsBeyond(db, orgId, keep)
}

export async function forgetTallyRejectionsBeyond(db: Db, orgId: string, keep: number) {
  const newest = db
    .selectFrom('tally_rejections')
    .select('id')
    .where('org_id', '=', orgId)
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(keep)
  await db.deleteFrom('tally_rejections').where('org_id', '=', orgId).where('id', 'not in', newest).execute()
}

export async function listTallyRejections(db: Db, orgId: string, page: { limit: number; offset: number }) {
  return db
    .selectFrom('tally_rejections')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
}

/** Schools holding more than `keep` rejected deliveries (a burst of concurrent inserts can overshoot). */
export async function schoolsWithTallyRejectionsBeyond(db: Db, keep: number) {
  const rows = await db
    .selectFrom('tally_rejections')
    .select('org_id')
    .groupBy('org_id')
    .having((eb) => eb.fn.countAll(), '>', keep)
    .execute()
  return rows.map((r) => r.org_id)
}

/** Forgets all but the `keep` newest rejected deliveries of every school together. */
export async function forgetTallyRejectionsBeyondTotal(db: Db, keep: number) {
  const newest = db
    .selectFrom('tally_rejections')
    .select('id')
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(keep)
  const result = await db.deleteFrom('tally_rejections').where('id', 'not in', newest).executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function forgetTallyRejectionsBefore(db: Db, before: string) {
  const result = await db.deleteFrom('tally_rejections').where('received_at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}
