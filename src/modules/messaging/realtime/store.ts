import type { Db } from '../../../core/db/database.ts'
import type { RealtimeEventRow } from './tables.ts'

// Queries of the real-time tables: the school (orgId) is the first business argument of each.

/** A stored event as the gateway sends it: its number, type and the JSON of its data. */
export type StoredEvent = { seq: number; type: string; dataJson: string }

/** Who an event is for: listed members, or the members taking part in a conversation now. */
export type Audience = { userIds: string[] } | { conversationId: string }

export type NewEvent = { type: string; data: unknown; actorId: string | null }

/**
 * Numbers the event after its school's latest and stores it with its recipients. Call it inside the
 * transaction that makes the change the event reports (or alone): the stream row stays locked until it
 * commits, so events of a school commit in the order of their numbers, and a reader that sees one has
 * seen every one before it.
 */
export async function appendEvent(
  db: Db,
  orgId: string,
  event: NewEvent,
  audience: Audience,
  at: string,
): Promise<number> {
  let numbered = await nextSeq(db, orgId)
  if (numbered === undefined) {
    await db
      .insertInto('realtime_streams')
      .values({ org_id: orgId, last_seq: 0 })
      .onConflict((oc) => oc.column('org_id').doNothing())
      .execute()
    numbered = await nextSeq(db, orgId)
  }
  if (numbered === undefined) throw new Error(`no realtime stream for ${orgId}`)
  const seq = numbered
  await db
    .insertInto('realtime_events')
    .values({
      org_id: orgId,
      seq,
      type: event.type,
      actor_id: event.actorId,
      data_json: JSON.stringify(event.data),
      created_at: at,
    })
    .execute()
  if ('conversationId' in audience) {
    await db
      .insertInto('realtime_recipients')
      .columns(['org_id', 'seq', 'user_id'])
      .expression((eb) =>
        eb
          .selectFrom('conversation_participants')
          .select([eb.val(orgId).as('org_id'), eb.val(seq).as('seq'), 'user_id'])
          .where('org_id', '=', orgId)
          .where('conversation_id', '=', audience.conversationId)
          .where('left_at', 'is', null),
      )
      .execute()
  } else {
    const userIds = [...new Set(audience.userIds)]
    for (let i = 0; i < userIds.length; i += 500) {
      await db
        .insertInto('realtime_recipients')
        .values(userIds.slice(i, i + 500).map((user_id) => ({ org_id: orgId, seq, user_id })))
        .execute()
    }
  }
  return seq
}

async function nextSeq(db: Db, orgId: string): Promise<number | undefined> {
  const row = await db
    .updateTable('realtime_streams')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
    .where('org_id', '=', orgId)
    .returning('last_seq')
    .executeTakeFirst()
  return row === undefined ? undefined : Number(row.last_seq)
}

/** The number of the school's latest event (0 before the first). */
export async function lastSeq(db: Db, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('realtime_streams')
    .select('last_seq')
    .where('org_id', '=', orgId)
    .executeTakeFirst()
  return Number(row?.last_seq ?? 0)
}

/** The number of the school's oldest event still kept, if any. */
export async function firstSeq(db: Db, orgId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('realtime_events')
    .select((eb) => eb.fn.min('seq').as('seq'))
    .where('org_id', '=', orgId)
    .executeTakeFirst()
  return row?.seq == null ? undefined : Number(row.seq)
}

const toStored = (row: Pick<RealtimeEventRow, 'seq' | 'type' | 'data_json'>): StoredEvent => ({
  seq: Number(row.seq),
  type: row.type,
  dataJson: row.data_json,
})

/** The member's events after `after`, in order, at most `limit`. */
export async function eventsOfMember(db: Db, orgId: string, userId: string, after: number, limit: number) {
  const rows = await db
    .selectFrom('realtime_recipients as r')
    .innerJoin('realtime_events as e', (j) =>
      j.onRef('e.org_id', '=', 'r.org_id').onRef('e.seq', '=', 'r.seq'),
    )
    .select(['e.seq', 'e.type', 'e.data_json'])
    .where('r.org_id', '=', orgId)
    .where('r.user_id', '=', userId)
    .where('r.seq', '>', after)
    .orderBy('r.seq')
    .limit(limit)
    .execute()
  return rows.map(toStored)
}

/** The school's events after `after`, in order, at most `limit`, each with the members it is for. */
export async function eventsAfter(db: Db, orgId: string, after: number, limit: number) {
  const rows = await db
    .selectFrom('realtime_events')
    .select(['seq', 'type', 'data_json'])
    .where('org_id', '=', orgId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute()
  const events = rows.map(toStored)
  const last = events.at(-1)
  if (!last) return []
  const recipients = await db
    .selectFrom('realtime_recipients')
    .select(['seq', 'user_id'])
    .where('org_id', '=', orgId)
    .where('seq', '>', after)
    .where('seq', '<=', last.seq)
    .execute()
  const bySeq = new Map<number, string[]>()
  for (const r of recipients) {
    const seq = Number(r.seq)
    const list = bySeq.get(seq)
    if (list) list.push(r.user_id)
    else bySeq.set(seq, [r.user_id])
  }
  return events.map((event) => ({ ...event, userIds: bySeq.get(event.seq) ?? [] }))
}

/** Forgets the events stored before `before` (their recipients go with them). */
export async function pruneEvents(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('realtime_events').where('created_at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}

// Tickets

export async function insertTicket(
  db: Db,
  row: { token_hash: string; org_id: string; user_id: string; created_at: string; expires_at: string },
) {
  await db.insertInto('realtime_tickets').values(row).execute()
}

/** Takes the ticket out (so that it serves once), answering whose it was and until when. */
export async function takeTicket(db: Db, tokenHash: string) {
  return db
    .deleteFrom('realtime_tickets')
    .where('token_hash', '=', tokenHash)
    .returning(['org_id', 'user_id', 'expires_at'])
    .executeTakeFirst()
}

export async function pruneTickets(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('realtime_tickets').where('expires_at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}

// Presence

/** The member has `connections` sockets open on this node. */
export async function setPresence(
  db: Db,
  orgId: string,
  userId: string,
  nodeId: string,
  connections: number,
  at: string,
) {
  await db
    .insertInto('realtime_presence')
    .values({ org_id: orgId, user_id: userId, node_id: nodeId, connections, seen_at: at })
    .onConflict((oc) =>
      oc.columns(['org_id', 'user_id', 'node_id']).doUpdateSet({ connections, seen_at: at }),
    )
    .execute()
}

/** The member has no socket left on this node. */
export async function removePresence(db: Db, orgId: string, userId: string, nodeId: string) {
  await db
    .deleteFrom('realtime_presence')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('node_id', '=', nodeId)
    .execute()
}

/** This node is alive: its members' presence stays fresh. */
export async function touchPresence(db: Db, nodeId: string, at: string) {
  await db.updateTable('realtime_presence').set({ seen_at: at }).where('node_id', '=', nodeId).execute()
}

export async function removeNodePresence(db: Db, nodeId: string) {
  await db.deleteFrom('realtime_presence').where('node_id', '=', nodeId).execute()
}

/** Which of these members have a socket open on a node that was alive since `since`. */
export async function onlineAmong(db: Db, orgId: string, userIds: string[], since: string) {
  if (userIds.length === 0) return []
  const rows = await db
    .selectFrom('realtime_presence')
    .select('user_id')
    .distinct()
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .where('seen_at', '>=', since)
    .execute()
  return rows.map((r) => r.user_id)
}

export async function prunePresence(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('realtime_presence').where('seen_at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}

// Audiences

/** The members who share a conversation with the member (whom their presence concerns). */
export async function contactsOf(db: Db, orgId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('conversation_participants as mine')
    .innerJoin('conversation_participants as other', (j) =>
      j.onRef('other.org_id', '=', 'mine.org_id').onRef('other.conversation_id', '=', 'mine.conversation_id'),
    )
    .select('other.user_id')
    .distinct()
    .where('mine.org_id', '=', orgId)
    .where('mine.user_id', '=', userId)
    .where('mine.left_at', 'is', null)
    .where('other.left_at', 'is', null)
    .where('other.user_id', '!=', userId)
    .limit(2_000)
    .execute()
  return rows.map((r) => r.user_id)
}

/** The members taking part in the conversation now, if the member is one of them (else none). */
export async function participantsIfMember(db: Db, orgId: string, conversationId: string, userId: string) {
  const rows = await db
    .selectFrom('conversation_participants')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('left_at', 'is', null)
    .execute()
  const ids = rows.map((r) => r.user_id)
  return ids.includes(userId) ? ids : []
}
