import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { serveStatic } from '@hono/node-server/serve-static'
import { systemClock } from '../core/clock.ts'
import { ConfigError, loadConfig } from '../core/config.ts'
import { startReconciler } from '../core/events/reconciler.ts'
import { DOCS_ASSETS_PATH } from '../core/http/openapi.ts'
import { createJobRunner } from '../core/jobs/runner.ts'
import { DEMO_MEDIA_PATH, DEMO_ORG, DEMO_PASSWORD, demoAccounts, seedDemo } from '../demo.ts'
import { createRealtimeSocketServer } from '../modules/messaging/index.ts'
import { openRuntime } from './runtime.ts'
import { serveWebApp } from './web-app.ts'

// The Node server: embedded SQLite by default, PostgreSQL when DATABASE_URL is set.

function loadConfigOrExit() {
  try {
    return loadConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(1)
    }
    throw err
  }
}

const config = loadConfigOrExit()
const runtime = await openRuntime(config).catch((err: unknown) => {
  console.error(`Sillon cannot start: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
const { app, logger } = runtime

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
app.use(
  `${DOCS_ASSETS_PATH}/*`,
  serveStatic({ root: swaggerDir, rewriteRequestPath: (path) => path.slice(DOCS_ASSETS_PATH.length) }),
)

// The demo course's video ships in the repository and is served like any static file.
app.use(
  `${DEMO_MEDIA_PATH}/*`,
  serveStatic({
    root: fileURLToPath(new URL('../../demo/media', import.meta.url)),
    rewriteRequestPath: (path) => path.slice(DEMO_MEDIA_PATH.length),
  }),
)

// The web app, built by `npm start` (web/build.ts); registered last so every API route comes first.
const webBuilt = serveWebApp(app, fileURLToPath(new URL('../../dist/web', import.meta.url)))
if (!webBuilt) logger.warn('no web app build in dist/web: run `npm run build:web` (npm start does it)')

if (config.SEED_DEMO) {
  const { created } = await seedDemo(runtime)
  if (created) logger.info({ org: DEMO_ORG.slug }, 'demo school created')
}

// Scheduled and queued jobs: in this process on SQLite, through pg-boss on PostgreSQL. With JOBS_ENABLED=false
// this node runs none (another node does); on PostgreSQL it can still enqueue.
const jobs = await createJobRunner({
  registry: runtime.jobs,
  database: runtime.database,
  clock: systemClock,
  logger,
  databaseUrl: config.DATABASE_URL,
  work: config.JOBS_ENABLED,
})
  .then(async (runner) => {
    await runner.start()
    runtime.attachJobQueue(runner)
    const names = runtime.jobs.list().map((job) => job.name)
    logger.info({ jobs: names }, config.JOBS_ENABLED ? 'jobs started' : 'jobs disabled on this node')
    return runner
  })
  .catch(async (err: unknown) => {
    console.error(`Sillon cannot start its jobs: ${err instanceof Error ? err.message : String(err)}`)
    await runtime.close()
    process.exit(1)
  })

// /api/realtime upgrades to a WebSocket through the app's own route (auth, origin), on this server.
const websocket = { server: createRealtimeSocketServer() }
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST, websocket }, (info) => {
  logger.info({ port: info.port, host: config.HOST, dialect: config.dialect }, 'Sillon is listening')
  const lines = [
    `\n  Sillon is running at ${config.PUBLIC_URL}  (API reference: ${config.PUBLIC_URL}/api/docs)`,
  ]
  if (config.SEED_DEMO) {
    lines.push(`  Demo school "${DEMO_ORG.name}", password for every account: ${DEMO_PASSWORD}`)
    for (const a of demoAccounts) lines.push(`    ${a.role.padEnd(10)} ${a.email}`)
  }
  console.log(`${lines.join('\n')}\n`)
})

// Catches up projections that fell behind (a failure, another node's events) and retries failures.
const reconciler = startReconciler(runtime.project, logger)
const dispatcher = setInterval(() => {
  runtime.dispatch().catch((err: unknown) => logger.error({ err }, 'webhook dispatch failed'))
}, 5_000).unref()

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'shutting down')
  reconciler.stop()
  clearInterval(dispatcher)
  // Sockets first (1001, server_shutdown): their clients reconnect, to another node if there is one.
  await runtime.realtime.close()
  server.close()
  await jobs.stop().catch((err: unknown) => logger.error({ err }, 'jobs did not stop cleanly'))
  await runtime.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
