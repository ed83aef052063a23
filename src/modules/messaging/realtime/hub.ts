import type { Logger } from 'pino'
import type { Clock } from '../../../core/clock.ts'
import type { Db } from '../../../core/db/database.ts'
import { newId } from '../../../core/ids.ts'
import type { PubSub } from '../../../core/pubsub/pubsub.ts'
import * as store from './store.ts'

// The node's half of real time: the sockets it holds, grouped by school, and one reader per school.
//
// Durable events are stored first (store.appendEvent), numbered in their school's stream; the node that
// stored one publishes a nudge on the school's channel ("there is more"), and every node holding sockets of
// that school reads the stream from where it stopped, in order, and hands each event to its recipients'
// sockets. Nothing travels through pub/sub but nudges and ephemeral frames (typing, presence), so a lost
// nudge (Redis restarting, a node dying between its commit and its publish) costs a delay, never an event:
// the next nudge, the pub/sub's gap notice or the heartbeat's sweep reads the stream again.
//
// A socket that resumes after the number it saw last reads its own missed events from the database
// while the school's reader buffers what arrives meanwhile; it then gets the buffered events numbered
// after what it read. Events of a school commit in the order of their numbers, so that boundary is exact:
// nothing is lost and nothing comes twice.

type RealtimeEventType = 'message.created' | 'message.updated' | 'conversation.read' | 'notification.created'

/** A durable event for members: stored (for a reconnecting client) before it is published. */
export type RealtimeEvent = { type: RealtimeEventType; data: unknown }

/** What the hub needs of a socket (a `ws` WebSocket). */
export type RealtimeSocket = {
  send(data: Buffer | string): void
  close(code: number, reason: string): void
  ping(): void
  terminate(): void
}

export type RealtimeOptions = {
  db: Db
  clock: Clock
  pubsub: PubSub
  logger: Logger
  /** How often sockets are pinged, presence refreshed and streams swept (default 30 s). */
  heartbeatMs?: number
}

/** Missed events a resuming client is sent at most; beyond, it is told to reload (`resync`). */
const MAX_MISSED = 1_000
/** Events of the school a resume may scan for the member's own; further behind, the client reloads. */
const MAX_SCANNED = 50_000
const PAGE = 500
const TYPING_EVERY_MS = 2_000

type Who = { orgId: string; userId: string }

export class Connection {
  state: 'joining' | 'live' | 'closed' = 'joining'
  /** Durable events numbered up to this one are sent, or were not this member's. */
  boundary = 0
  buffer: { seq: number; frame: Buffer }[] = []
  alive = true
  readonly typedAt = new Map<string, number>()

  constructor(
    readonly who: Who,
    readonly socket: RealtimeSocket,
  ) {}

  offer(seq: number, frame: Buffer) {
    if (this.state === 'joining') this.buffer.push({ seq, frame })
    else if (this.state === 'live' && seq > this.boundary) {
      this.boundary = seq
      this.socket.send(frame)
    }
  }

  sendEphemeral(frame: Buffer | string) {
    if (this.state !== 'closed') this.socket.send(frame)
  }
}

type Stream = {
  orgId: string
  /** Every event numbered up to here has been handed to this node's sockets. */
  watermark: number
  ready: Promise<void>
  reading: boolean
  again: boolean
  members: Map<string, Set<Connection>>
  unsubscribe: () => Promise<void>
}

type ChannelMessage = { k: 'n'; s: number } | { k: 'e'; to: string[]; f: string }

const channelOf = (orgId: string) => `realtime:${orgId}`

/** `{"id":"12","type":"message.created","data":{...}}`, without parsing the stored data again. */
function durableFrame(event: store.StoredEvent): Buffer {
  return Buffer.from(`{"id":"${event.seq}","type":${JSON.stringify(event.type)},"data":${event.dataJson}}`)
}

export function ephemeralFrame(type: string, data: unknown): string {
  return JSON.stringify({ type, data })
}

export type Realtime = ReturnType<typeof createRealtime>

export function createRealtime(options: RealtimeOptions) {
  const { db, clock, pubsub, logger } = options
  const heartbeatMs = options.heartbeatMs ?? 30_000
  const nodeId = newId()
  const streams = new Map<string, Stream>()
  const connections = new Set<Connection>()
  let timer: NodeJS.Timeout | null = null
  let closing = false
  const now = () => clock.now().toISOString()
  /** A node that has not refreshed its presence for three heartbeats is gone. */
  const freshSince = () => new Date(clock.now().getTime() - 3 * heartbeatMs).toISOString()

  async function read(stream: Stream): Promise<void> {
    await stream.ready
    if (stream.reading) {
      stream.again = true
      return
    }
    stream.reading = true
    try {
      do {
        stream.again = false
        const events = await store.eventsAfter(db, stream.orgId, stream.watermark, PAGE)
        for (const event of events) {
          const frame = durableFrame(event)
          for (const userId of event.userIds) {
            const sockets = stream.members.get(userId)
            if (sockets) for (const connection of sockets) connection.offer(event.seq, frame)
          }
          stream.watermark = event.seq
        }
        if (events.length === PAGE) stream.again = true
      } while (stream.again)
    } catch (err) {
      logger.warn(
        { err, orgId: stream.orgId },
        'realtime stream read failed; retried at the next event or sweep',
      )
    } finally {
      stream.reading = false
    }
  }

  function heard(stream: Stream, raw: string) {
    let message: ChannelMessage
    try {
      message = JSON.parse(raw) as ChannelMessage
    } catch {
      return
    }
    if (message.k === 'n') {
      if (message.s > stream.watermark) void read(stream)
      return
    }
    if (message.k === 'e' && Array.isArray(message.to)) {
      const frame = Buffer.from(message.f)
      for (const userId of message.to) {
        const sockets = stream.members.get(userId)
        if (sockets) for (const connection of sockets) connection.sendEphemeral(frame)
      }
    }
  }

  async function streamOf(orgId: string): Promise<Stream> {
    const known = streams.get(orgId)
    if (known) {
      await known.ready
      return known
    }
    let markReady: () => void = () => undefined
    const stream: Stream = {
      orgId,
      watermark: 0,
      ready: new Promise<void>((resolve) => {
        markReady = resolve
      }),
      reading: false,
      again: false,
      members: new Map(),
      unsubscribe: async () => undefined,
    }
    streams.set(orgId, stream)
    try {
      // Subscribed before the watermark is read: a nudge heard meanwhile waits for it, then reads after it.
      stream.unsubscribe = await pubsub.subscribe(channelOf(orgId), (raw) => heard(stream, raw), {
        onGap: () => void read(stream),
      })
      stream.watermark = await store.lastSeq(db, orgId)
    } catch (err) {
      streams.delete(orgId)
      await stream.unsubscribe().catch(() => undefined)
      throw err
    } finally {
      markReady()
    }
    return stream
  }

  async function publishEphemeral(orgId: string, to: string[], frame: string) {
    if (to.length === 0) return
    await pubsub.publish(channelOf(orgId), JSON.stringify({ k: 'e', to, f: frame }))
  }

  /** Tells every node that the school's stream has events up to `seq`. Never throws. */
  async function announce(orgId: string, seq: number) {
    try {
      await pubsub.publish(channelOf(orgId), JSON.stringify({ k: 'n', s: seq }))
    } catch (err) {
      logger.warn({ err }, 'realtime announce failed; nodes read the stream at their next sweep')
    }
  }

  /** Sends the member's events after `after` (or nothing, from now on), then what arrived meanwhile. */
  async function catchUp(connection: Connection, after: string | undefined) {
    const { orgId, userId } = connection.who
    connection.state = 'joining'
    connection.buffer = []
    const last = await store.lastSeq(db, orgId)
    let boundary = last
    let resync = false
    let missed: store.StoredEvent[] = []
    if (after !== undefined) {
      const from = /^\d{1,15}$/.test(after) ? Number(after) : Number.NaN
      const first = Number.isNaN(from) || from > last ? undefined : await store.firstSeq(db, orgId)
      // A number this school never gave (another school's, a restored database) or events forgotten since.
      if (Number.isNaN(from) || from > last || (first ?? last + 1) > from + 1 || last - from > MAX_SCANNED) {
        resync = true
      } else {
        missed = await store.eventsOfMember(db, orgId, userId, from, MAX_MISSED + 1)
        if (missed.length > MAX_MISSED) {
          resync = true
          missed = []
        } else boundary = missed.at(-1)?.seq ?? from
      }
    }
    if (connection.state !== 'joining') return
    for (const event of missed) connection.socket.send(durableFrame(event))
    connection.boundary = boundary
    connection.state = 'live'
    const buffered = connection.buffer
    connection.buffer = []
    for (const { seq, frame } of buffered) connection.offer(seq, frame)
    connection.socket.send(
      ephemeralFrame('ready', {
        member_id: userId,
        cursor: String(connection.boundary),
        missed: missed.length,
        resync,
      }),
    )
  }

  async function presenceOf(connection: Connection, firstHere: boolean) {
    const { orgId, userId } = connection.who
    const contacts = await store.contactsOf(db, orgId, userId)
    if (firstHere)
      await publishEphemeral(orgId, contacts, ephemeralFrame('presence', { member_id: userId, online: true }))
    const online = new Set(await store.onlineAmong(db, orgId, contacts, freshSince()))
    const local = streams.get(orgId)?.members
    for (const contact of contacts) {
      if (online.has(contact) || local?.has(contact)) {
        connection.sendEphemeral(ephemeralFrame('presence', { member_id: contact, online: true }))
      }
    }
  }

  /** The socket closed: the member goes offline when this was their last socket on every node. */
  async function closed(connection: Connection) {
    if (connection.state === 'closed' && !connections.has(connection)) return
    connection.state = 'closed'
    connections.delete(connection)
    const { orgId, userId } = connection.who
    const sockets = streams.get(orgId)?.members.get(userId)
    if (!sockets?.delete(connection)) return
    if (sockets.size > 0) return
    streams.get(orgId)?.members.delete(userId)
    try {
      await store.removePresence(db, orgId, userId, nodeId)
      if (closing) return
      const elsewhere = await store.onlineAmong(db, orgId, [userId], freshSince())
      if (elsewhere.length > 0) return
      const contacts = await store.contactsOf(db, orgId, userId)
      await publishEphemeral(
        orgId,
        contacts,
        ephemeralFrame('presence', { member_id: userId, online: false }),
      )
    } catch (err) {
      logger.warn({ err }, 'realtime presence update failed')
    }
  }

  function startHeartbeat() {
    if (timer) return
    timer = setInterval(() => void heartbeat(), heartbeatMs)
    timer.unref()
  }

  async function heartbeat() {
    for (const connection of connections) {
      if (!connection.alive) {
        connection.socket.terminate()
        continue
      }
      connection.alive = false
      try {
        connection.socket.ping()
      } catch {
        connection.socket.terminate()
      }
    }
    try {
      await store.touchPresence(db, nodeId, now())
    } catch (err) {
      logger.warn({ err }, 'realtime presence refresh failed')
    }
    for (const stream of [...streams.values()]) {
      if (stream.members.size === 0 && !stream.reading) {
        streams.delete(stream.orgId)
        await stream.unsubscribe().catch(() => undefined)
      } else await read(stream)
    }
  }

  return {
    nodeId,

    /** A socket of an authenticated member: it joins its school's stream, resuming after `after` if given. */
    async open(who: Who, socket: RealtimeSocket, after: string | undefined): Promise<Connection> {
      const connection = new Connection(who, socket)
      if (closing) {
        socket.close(1001, 'server_shutdown')
        connection.state = 'closed'
        return connection
      }
      connections.add(connection)
      startHeartbeat()
      const stream = await streamOf(who.orgId)
      if (connection.state === 'closed') return connection
      let sockets = stream.members.get(who.userId)
      const firstHere = sockets === undefined
      if (!sockets) {
        sockets = new Set()
        stream.members.set(who.userId, sockets)
      }
      sockets.add(connection)
      await store.setPresence(db, who.orgId, who.userId, nodeId, sockets.size, now())
      await catchUp(connection, after)
      if (connection.state === 'live') await presenceOf(connection, firstHere)
      return connection
    },

    /** The client asked again for what it missed after `after`. */
    async resume(connection: Connection, after: string) {
      // Once the socket is live: a resume sent while it joins is answered by the join itself.
      if (connection.state !== 'live') return
      await catchUp(connection, after)
    },

    /** The client is typing in a conversation: the other participants hear it (at most every 2 s). */
    async typing(connection: Connection, conversationId: string) {
      const { orgId, userId } = connection.who
      const at = Date.now()
      if (at - (connection.typedAt.get(conversationId) ?? 0) < TYPING_EVERY_MS) return
      if (connection.typedAt.size > 100) connection.typedAt.clear()
      connection.typedAt.set(conversationId, at)
      const participants = await store.participantsIfMember(db, orgId, conversationId, userId)
      const others = participants.filter((id) => id !== userId)
      await publishEphemeral(
        orgId,
        others,
        ephemeralFrame('typing', { conversation_id: conversationId, member_id: userId }),
      )
    },

    pong(connection: Connection) {
      connection.alive = true
    },

    closed,

    /**
     * Stores an event for members, inside the caller's transaction (`db`), and answers its number: call
     * `announce` once it has committed.
     */
    record(
      trx: Db,
      orgId: string,
      event: RealtimeEvent & { actorId: string | null },
      audience: store.Audience,
    ) {
      return store.appendEvent(trx, orgId, event, audience, now())
    },

    announce,

    /** Stores the event for these members (for a reconnecting client), then publishes it. */
    async deliver(orgId: string, userIds: string[], event: RealtimeEvent, actorId: string | null = null) {
      if (userIds.length === 0) return
      const seq = await db
        .transaction()
        .execute((trx) => store.appendEvent(trx, orgId, { ...event, actorId }, { userIds }, now()))
      await announce(orgId, seq)
    },

    /**
     * Stores the event for the conversation's current participants, then publishes it. Called once the
     * change it reports has committed: a failure is logged, not thrown (the change stands; clients see it
     * when they reload).
     */
    async deliverToConversation(
      orgId: string,
      conversationId: string,
      event: RealtimeEvent,
      actorId: string,
    ) {
      try {
        const seq = await db
          .transaction()
          .execute((trx) => store.appendEvent(trx, orgId, { ...event, actorId }, { conversationId }, now()))
        await announce(orgId, seq)
      } catch (err) {
        logger.error({ err, orgId, type: event.type }, 'live event not stored')
      }
    },

    /** Whether the member has a socket open on any node. */
    async isOnline(orgId: string, userId: string): Promise<boolean> {
      if (streams.get(orgId)?.members.has(userId)) return true
      return (await store.onlineAmong(db, orgId, [userId], freshSince())).length > 0
    },

    /** How many sockets this node holds. */
    size: () => connections.size,

    /** Shutdown: closes every socket with 1001, forgets this node's presence, stops listening. */
    async close() {
      closing = true
      if (timer) clearInterval(timer)
      timer = null
      for (const connection of [...connections]) {
        connection.socket.close(1001, 'server_shutdown')
        await closed(connection)
      }
      for (const stream of streams.values()) await stream.unsubscribe().catch(() => undefined)
      streams.clear()
      await store.removeNodePresence(db, nodeId).catch(() => undefined)
    },
  }
}
