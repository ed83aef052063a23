import type { Db } from '../db/database.ts'

/**
 * An integration event: a small, documented, versioned fact published to the outside (webhooks). Unlike
 * domain events and signals, its shape is a contract; see docs/integration-events.md.
 */
export type IntegrationEvent = {
  id: string
  org_id: string
  type: string
  version: number
  occurred_at: string
  data: Record<string, unknown>
}

/**
 * Writes integration events to the outbox; call it inside the transaction that records their cause, so
 * a consumer never hears of something that was rolled back. Ids are deterministic: writing twice is a no-op.
 */
export async function writeOutbox(db: Db, events: IntegrationEvent[], at: string) {
  for (const event of events) {
    await db
      .insertInto('integration_outbox')
      .values({
        id: event.id,
        org_id: event.org_id,
        type: event.type,
        version: event.version,
        occurred_at: event.occurred_at,
        data_json: JSON.stringify(event.data),
        created_at: at,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
  }
}

export async function readOutboxAfter(db: Db, afterSeq: number, limit: number) {
  const rows = await db
    .selectFrom('integration_outbox')
    .selectAll()
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    seq: Number(r.seq),
    id: r.id,
    org_id: r.org_id,
    type: r.type,
    version: Number(r.version),
    occurred_at: r.occurred_at,
    data: JSON.parse(r.data_json) as Record<string, unknown>,
  }))
}

export async function getOutboxEvent(db: Db, id: string) {
  const row = await db.selectFrom('integration_outbox').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? { ...row, data: JSON.parse(row.data_json) as Record<string, unknown> } : undefined
}
