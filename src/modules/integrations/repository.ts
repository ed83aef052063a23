import type { Updateable } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import { containsText } from '../../core/db/like.ts'
import type { WebhookDeliveryRow, WebhookSubscriptionRow } from './tables.ts'

export type SubscriptionPage = { query?: string; limit: number; offset: number }

/** A page of the organisation's subscriptions, oldest first, searched by URL. */
export async function listSubscriptions(db: Db, orgId: string, filter: SubscriptionPage) {
  let query = db.selectFrom('webhook_subscriptions').where('org_id', '=', orgId)
  const text = filter.query
  if (text) query = query.where((eb) => containsText(eb.ref('url'), text))
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy('created_at').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.n) }
}

export async function activeSubscriptions(db: Db, orgIds: string[]) {
  if (orgIds.length === 0) return []
  return db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('org_id', 'in', orgIds)
    .where('active', '=', 1)
    .execute()
}

export async function getSubscription(db: Db, orgId: string, id: string) {
  return db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function insertSubscription(db: Db, orgId: string, row: Omit<WebhookSubscriptionRow, 'org_id'>) {
  await db
    .insertInto('webhook_subscriptions')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updateSubscription(
  db: Db,
  orgId: string,
  id: string,
  patch: Updateable<WebhookSubscriptionRow>,
) {
  await db
    .updateTable('webhook_subscriptions')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute()
}

export async function deleteSubscription(db: Db, orgId: string, id: string) {
  await db.deleteFrom('webhook_subscriptions').where('org_id', '=', orgId).where('id', '=', id).execute()
}

export async function insertDeliveries(db: Db, rows: WebhookDeliveryRow[]) {
  for (const row of rows) {
    await db
      .insertInto('webhook_deliveries')
      .values(row)
      .onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing())
      .execute()
  }
}

export async function dueDeliveries(db: Db, now: string, limit: number) {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute()
}

export async function updateDelivery(
  db: Db,
  orgId: string,
  id: string,
  patch: Updateable<WebhookDeliveryRow>,
) {
  await db
    .updateTable('webhook_deliveries')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute()
}

export async function listDeliveries(db: Db, orgId: string, subscriptionId: string, limit: number) {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('subscription_id', '=', subscriptionId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
}

/**
 * Takes a due delivery for this dispatcher by pushing its next attempt past the time a send can take:
 * when several nodes dispatch at once, exactly one of them wins each delivery.
 */
export async function claimDelivery(
  db: Db,
  delivery: WebhookDeliveryRow,
  leaseUntil: string,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: leaseUntil })
    .where('org_id', '=', delivery.org_id)
    .where('id', '=', delivery.id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '=', delivery.next_attempt_at)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
