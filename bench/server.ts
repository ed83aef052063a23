import { type ServerType, serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { DbHandle } from '../src/core/db/database.ts'
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

function listen(fetch: (request: Request) => Response | Promise<Response>): ServerType {
  return serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
    console.log(JSON.stringify({ ready: info.port }))
  })
}

let database: DbHandle | null = null
let server: ServerType
if (process.env.BENCH_SERVER === 'baseline') {
  server = listen(baselineApp().fetch)
} else {
  const target = JSON.parse(process.env.BENCH_TARGET ?? '') as BenchTarget
  database = openTarget(target)
  server = listen(buildBenchApp(target, database).app.fetch)
}

// autocannon may leave keep-alive sockets open: do not wait for them, only for the database to close.
process.on('SIGTERM', () => {
  server.close()
  void (database?.close() ?? Promise.resolve()).finally(() => process.exit(0))
})
