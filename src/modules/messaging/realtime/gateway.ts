import { upgradeWebSocket, type WebSocketLike } from '@hono/node-server'
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { WSContext } from 'hono/ws'
import type { WebSocket } from 'ws'
import { WebSocketServer } from 'ws'
import type { Clock } from '../../../core/clock.ts'
import type { Db } from '../../../core/db/database.ts'
import type { AppEnv } from '../../../core/http/context.ts'
import { errorBody } from '../../../core/http/errors.ts'
import { createRouter, defineRoute } from '../../../core/http/router.ts'
import { ErrorSchema, errorResponses, json } from '../../../core/http/schemas.ts'
import { randomSecret, sha256Hex } from '../../../core/ids.ts'
import { type Connection, ephemeralFrame, type Realtime } from './hub.ts'
import * as store from './store.ts'

// The WebSocket endpoint /api/realtime and the tickets that open it (README, "Real time", has the protocol).

/** A frame from a client is a few hundred bytes; `ws` closes the socket (1009) on a larger one. */
const MAX_FRAME_BYTES = 4_096
const TICKET_TTL_MS = 30_000
/** Frames a client may send in a burst, and per second after it; beyond, the socket is closed (4429). */
const FRAME_BURST = 30
const FRAMES_PER_SECOND = 10
/** Malformed frames tolerated (each answered with an `error` frame) before the socket is closed (4400). */
const BAD_FRAMES = 10

export type GatewayDeps = {
  db: Db
  clock: Clock
  realtime: Realtime
  /** The origins a browser may open the socket from: PUBLIC_URL's and CORS_ORIGINS. */
  allowedOrigins: readonly string[]
}

/** The WebSocket server the Node entry hands to `serve({ websocket })`. */
export function createRealtimeSocketServer(): WebSocketServer {
  return new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
}

const TicketSchema = z
  .object({
    ticket: z.string().openapi({ example: 'mGx2c8L1pQ3sVbq0a9yT4kWz7nJd5eRf6hUi2oPlAsD' }),
    expires_at: z.string().openapi({ example: '2026-12-08T09:00:30.000Z' }),
  })
  .openapi('RealtimeTicket')

const ConnectQuery = z.object({
  ticket: z.string().max(200).optional().openapi({
    description: 'A ticket from POST /api/realtime/ticket, for clients without the session cookie',
  }),
  after: z.string().max(32).optional().openapi({
    description: 'The `id` of the last durable event the client saw: it is sent what it missed first',
  }),
})

const ClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('resume'), after: z.string().max(32) }),
  z.object({ type: z.literal('typing'), conversation_id: z.string().min(1).max(64) }),
])

type Who = { orgId: string; userId: string } | { refused: string }

async function createTicket(deps: GatewayDeps, orgId: string, userId: string) {
  const ticket = randomSecret(32)
  const now = deps.clock.now()
  const expiresAt = new Date(now.getTime() + TICKET_TTL_MS).toISOString()
  await store.insertTicket(deps.db, {
    token_hash: await sha256Hex(ticket),
    org_id: orgId,
    user_id: userId,
    created_at: now.toISOString(),
    expires_at: expiresAt,
  })
  return { ticket, expires_at: expiresAt }
}

/** Whose the ticket was, once: a second use, a forged one or an expired one is refused. */
async function redeemTicket(deps: GatewayDeps, ticket: string): Promise<Who> {
  const row = await store.takeTicket(deps.db, await sha256Hex(ticket))
  if (!row) return { refused: 'ticket_invalid' }
  if (new Date(row.expires_at).getTime() <= deps.clock.now().getTime()) return { refused: 'ticket_expired' }
  return { orgId: row.org_id, userId: row.user_id }
}

function whoFromSession(c: Context<AppEnv>): Who {
  const identity = c.get('identity')
  if (!identity) return { refused: 'unauthenticated' }
  if (!identity.orgId || !identity.role) return { refused: 'no_organisation' }
  return { orgId: identity.orgId, userId: identity.userId }
}

/** A token bucket per socket: a flood closes it. */
function frameBudget(clock: () => number) {
  let tokens = FRAME_BURST
  let at = clock()
  return () => {
    const now = clock()
    tokens = Math.min(FRAME_BURST, tokens + ((now - at) / 1000) * FRAMES_PER_SECOND)
    at = now
    if (tokens < 1) return false
    tokens -= 1
    return true
  }
}

function socketEvents(deps: GatewayDeps, who: Who, after: string | undefined) {
  let connection: Promise<Connection | null> = Promise.resolve(null)
  let bad = 0
  const spend = frameBudget(() => performance.now())

  async function handle(raw: WebSocket, data: unknown) {
    const open = await connection
    if (!open || open.state === 'closed') return
    const refuse = (message: string) => {
      bad++
      if (bad > BAD_FRAMES) raw.close(4400, 'bad_frames')
      else raw.send(ephemeralFrame('error', { code: 'bad_frame', message }))
    }
    if (typeof data !== 'string') return refuse('Frames are JSON text')
    let parsed: unknown
    try {
      parsed = JSON.parse(data)
    } catch {
      return refuse('Frames are JSON text')
    }
    const frame = ClientFrame.safeParse(parsed)
    if (!frame.success) return refuse('Unknown frame: expected ping, resume or typing')
    switch (frame.data.type) {
      case 'ping':
        raw.send(ephemeralFrame('pong', {}))
        return
      case 'resume':
        await deps.realtime.resume(open, frame.data.after)
        return
      case 'typing':
        await deps.realtime.typing(open, frame.data.conversation_id)
        return
    }
  }

  return {
    onOpen(_event: Event, ws: WSContext<WebSocketLike>) {
      // The Node server's sockets are `ws` WebSockets (see createRealtimeSocketServer).
      const raw = ws.raw as WebSocket | undefined
      if (!raw) return
      if ('refused' in who) {
        raw.close(4401, who.refused)
        return
      }
      raw.on('pong', () => {
        void connection.then((open) => open && deps.realtime.pong(open))
      })
      connection = deps.realtime
        .open(who, raw, after)
        .catch((err: unknown) => {
          raw.close(1011, 'server_error')
          throw err
        })
        .catch(() => null)
    },
    onMessage(event: MessageEvent, ws: WSContext<WebSocketLike>) {
      const raw = ws.raw as WebSocket | undefined
      if (!raw || 'refused' in who) return
      if (!spend()) {
        raw.close(4429, 'rate_limited')
        return
      }
      handle(raw, event.data).catch(() => raw.close(1011, 'server_error'))
    },
    onClose() {
      void connection.then((open) => open && deps.realtime.closed(open))
    },
  }
}

export function realtimeRoutes(deps: GatewayDeps) {
  const app = createRouter()
  const tags = ['Real time']
  const allowed = new Set(deps.allowedOrigins)

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/realtime/ticket',
      tags,
      summary: 'A single-use ticket to open the real-time socket without the session cookie',
      description:
        'For API clients: open `GET /api/realtime?ticket=<ticket>` within 30 seconds. The ticket opens one ' +
        'socket, once, for the caller in their active school; a second use, a forged or an expired ticket ' +
        'gets the socket closed with code 4401.',
      access: 'member',
      responses: {
        201: { description: 'A ticket, valid 30 seconds', ...json(TicketSchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const me = c.get('member')
      return c.json(await createTicket(deps, me.orgId, me.userId), 201)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/realtime',
      tags,
      summary: 'The real-time WebSocket: live messages, read receipts, typing, presence and notifications',
      description:
        'Open it as a WebSocket (`Upgrade: websocket`), signed in by the session cookie, or with ' +
        "`?ticket=` from POST /api/realtime/ticket. A browser must open it from the app's origin (or one of " +
        'CORS_ORIGINS): another origin gets 403. Server frames are JSON `{ "id"?, "type", "data" }`: ' +
        '`message.created`, `message.updated`, `conversation.read` and `notification.created` carry an `id`; ' +
        'reconnect with `?after=<id>` (or send `{ "type": "resume", "after": "<id>" }`) to receive what was ' +
        'missed first. `typing`, `presence`, `ready`, `pong` and `error` carry none. Client frames: ' +
        '`{ "type": "ping" }`, `{ "type": "typing", "conversation_id": "…" }`, `{ "type": "resume", "after": "…" }`. ' +
        'Close codes: 4401 not signed in or bad ticket, 4400 repeated malformed frames, 4429 too many frames, ' +
        '1009 frame over 4 KiB, 1001 server shutting down. See the README, "Real time".',
      access: 'public',
      request: { query: ConnectQuery },
      responses: {
        ...errorResponses(400),
        101: { description: 'Switching to the WebSocket protocol' },
        403: { description: 'Opened from an origin that is not allowed', ...json(ErrorSchema) },
        426: { description: 'Not a WebSocket request', ...json(ErrorSchema) },
      },
    }),
    // Hono's typed responses know nothing of 101: the upgrade answers a bare Response.
    (async (c: Context<AppEnv>) => {
      if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
        return c.json(errorBody('upgrade_required', 'Open this URL as a WebSocket'), 426)
      }
      const origin = c.req.header('origin')
      if (origin && !allowed.has(origin) && origin !== new URL(c.req.url).origin) {
        return c.json(errorBody('origin_refused', `Sockets are not opened from ${origin}`), 403)
      }
      const { ticket, after } = ConnectQuery.parse(c.req.query())
      const who = ticket !== undefined ? await redeemTicket(deps, ticket) : whoFromSession(c)
      return upgradeWebSocket(c, socketEvents(deps, who, after), {
        onError: (err) => c.var.logger.warn({ err }, 'realtime socket handler failed'),
      })
    }) as never,
  )

  return app
}
