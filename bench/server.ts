import { type ServerType, serve } from '@hono/node-server'
import { Hono } from 'hono'
import pino from 'pino'
import { WebSocketServer } from 'ws'
import type { DbHandle } from '../src/core/db/database.ts'
import { createRedisPubSub } from '../src/core/pubsub/redis.ts'
import { createRealtimeSocketServer } from '../src/modules/messaging/index.ts'
import { type BenchTarget, buildBenchApp, openTarget } from './target.ts'

// The server side of `npm run bench`, run as its own process so that it can be pinned to one core.
// BENCH_SERVER=baseline serves a bare Hono endpoint that only parses the ping; BENCH_SERVER=app serves
// the whole app over BENCH_TARGET (JSON). Prints `{"ready":<port>}` once it listens.

/** What the app's ingest cannot go below: Node's HTTP server, Hono's routing and parsing the body. */
function baselineApp() {
  const app = new Hono()
  app.post('/api/video-event', async (c) => {
    await c.req.json()
    return c.body(null, 204)
  })
  return app
}

function listen(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  websocket?: { server: WebSocketServer },
): ServerType {
  return serve({ fetch, port: 0, hostname: '127.0.0.1', websocket }, (info) => {
    console.log(JSON.stringify({ ready: info.port }))
  })
}

/**
 * What real-time fan-out cannot beat: a bare `ws` server that, on `POST /broadcast` `{ count, payload }`,
 * sends the payload `count` times to every connected socket (encoded once, as the gateway does), yielding
 * to I/O between two broadcasts as the gateway does between two messages.
 */
function wsBaseline() {
  const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  const app = new Hono()
  app.post('/broadcast', async (c) => {
    const { count, payload } = await c.req.json<{ count: number; payload: string }>()
    const frame = Buffer.from(payload)
    for (let i = 0; i < count; i++) {
      for (const client of sockets.clients) client.send(frame)
      await new Promise((resolve) => setImmediate(resolve))
    }
    return c.body(null, 204)
  })
  return { app, sockets }
}

let database: DbHandle | null = null
let server: ServerType
let closeApp: () => Promise<void> = async () => undefined
if (process.env.BENCH_SERVER === 'baseline') {
  server = listen(baselineApp().fetch)
} else if (process.env.BENCH_SERVER === 'ws-baseline') {
  const { app, sockets } = wsBaseline()
  server = listen(app.fetch)
  // Every upgrade is accepted: the baseline checks nothing.
  server.on('upgrade', (request, socket, head) => {
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request))
  })
} else {
  const target = JSON.parse(process.env.BENCH_TARGET ?? '') as BenchTarget
  database = openTarget(target)
  // Real time through Redis when the bench runs several nodes.
  const redisUrl = process.env.BENCH_REDIS_URL
  const pubsub = redisUrl ? createRedisPubSub(redisUrl, pino({ level: 'warn' })) : undefined
  const built = buildBenchApp(target, database, pubsub)
  // The real-time bench posts hundreds of messages a second from a few members.
  built.messaging.rateLimit = { messages: 1_000_000, windowMs: 60_000 }
  // It measures the gateway's fan-out of messages: the in-app notifications of each message are off.
  if (process.env.BENCH_NOTIFY === 'off') built.messaging.notify = undefined
  // The gateway's fan-out without the HTTP post in front of it: `POST /bench/deliver` stores and publishes
  // `count` events for a conversation's participants, `lanes` at a time, as a posted message does.
  const bench = new Hono()
  bench.post('/bench/deliver', async (c) => {
    type Deliveries = {
      orgId: string
      conversationId: string
      actorId: string
      data: object
      count: number
      lanes: number
    }
    const { orgId, conversationId, actorId, data, count, lanes } = await c.req.json<Deliveries>()
    let sent = 0
    const lane = async () => {
      while (sent < count) {
        sent++
        const event = { type: 'message.created' as const, data: { ...data, id: crypto.randomUUID() } }
        await built.realtime.deliverToConversation(orgId, conversationId, event, actorId)
      }
    }
    await Promise.all(Array.from({ length: lanes }, lane))
    return c.body(null, 204)
  })
  bench.all('*', (c) => built.app.fetch(c.req.raw, c.env))
  server = listen(bench.fetch, { server: createRealtimeSocketServer() })
  closeApp = async () => {
    await built.realtime.close()
    await pubsub?.close()
  }
}

// autocannon may leave keep-alive sockets open: do not wait for them, only for the database to close.
process.on('SIGTERM', () => {
  server.close()
  void closeApp()
    .then(() => database?.close())
    .finally(() => process.exit(0))
})
