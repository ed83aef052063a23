import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { App } from '../src/app.ts'
import { migrateToLatest } from '../src/core/db/migrate.ts'
import { newId } from '../src/core/ids.ts'
import * as identity from '../src/modules/identity/index.ts'
import { adminQuery, postgresReachable, TEST_DATABASE_URL } from '../test/helpers/database-templates.ts'
import { type Pinning, pinProcess, planPinning } from './cpu.ts'
import { type BenchServer, startBenchServer } from './load.ts'
import { type BenchTarget, buildBenchApp, openTarget } from './target.ts'

// Real-time fan-out (part of `npm run bench`, or alone: `node --import tsx bench/realtime.ts`).
// One group conversation of LISTENERS connected members and a few authors who post MESSAGES messages
// through the HTTP API, as fast as the server answers: deliveries per second at the listeners' sockets, from
// the first post to the last delivery. Against it, in the same run: a bare `ws` server broadcasting the same
// frame the same number of times to the same number of sockets; and, on PostgreSQL with Redis, the same
// conversation served by two nodes (listeners split between them, authors posting to both) through Redis.

const LISTENERS = Number(process.env.BENCH_REALTIME_CLIENTS ?? 200)
const AUTHORS = 20
const MESSAGES = Number(process.env.BENCH_REALTIME_MESSAGES ?? 400)
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const TARGETS = { fanout: 0.5, twoNodes: 0.7 }
const MESSAGE_CREATED = Buffer.from('"message.created"')

type RealtimeRow = { dialect: string; scenario: string; deliveriesPerSec: number; ms: number }

type Group = {
  orgId: string
  conversationId: string
  actorId: string
  listenerTokens: string[]
  authorTokens: string[]
}

/** The school, its members (each with an API token) and one group conversation of all of them. */
async function seedGroup(app: App): Promise<Group> {
  const org = await identity.createOrganisation(app.identity, {
    slug: 'bench-realtime',
    name: 'Bench real time',
    default_locale: 'fr',
    timezone: 'Europe/Paris',
  })
  const people = Array.from({ length: LISTENERS + AUTHORS }, (_, i) => i)
  const members: { userId: string; token: string }[] = []
  for (let start = 0; start < people.length; start += 8) {
    const batch = people.slice(start, start + 8)
    members.push(
      ...(await Promise.all(
        batch.map(async (i) => {
          const { member } = await identity.addMember(app.identity, org.id, 'cli', {
            email: `rt-${i}@bench.sillon.test`,
            name: `Member ${i}`,
            role: i < LISTENERS ? 'student' : 'instructor',
            password: 'bench-sillon-password',
          })
          const { token } = await identity.createApiToken(app.identity, org.id, member.user_id, {
            name: 'rt',
          })
          return { userId: member.user_id, token }
        }),
      )),
    )
  }
  const at = new Date().toISOString()
  const conversationId = newId()
  const db = app.messaging.db
  await db
    .insertInto('conversations')
    .values({
      id: conversationId,
      org_id: org.id,
      kind: 'group',
      direct_key: null,
      course_id: null,
      team_id: null,
      created_by: members[LISTENERS]?.userId ?? '',
      created_at: at,
      last_message_id: null,
      last_activity_at: at,
    })
    .execute()
  await db
    .insertInto('conversation_participants')
    .values(
      members.map((m) => ({
        org_id: org.id,
        conversation_id: conversationId,
        user_id: m.userId,
        joined_at: at,
        left_at: null,
        last_read_message_id: null,
      })),
    )
    .execute()
  return {
    orgId: org.id,
    actorId: members[LISTENERS]?.userId ?? '',
    conversationId,
    listenerTokens: members.slice(0, LISTENERS).map((m) => m.token),
    authorTokens: members.slice(LISTENERS).map((m) => m.token),
  }
}

/** Sockets that count the frames they receive, and when the last one came. */
async function listeners(urls: string[], path: string, tokens: (string | null)[]) {
  const state = { frames: 0, lastAt: 0, sample: '' }
  const sockets = await Promise.all(
    tokens.map(
      (token, i) =>
        new Promise<WebSocket>((resolve, reject) => {
          const url = `${(urls[i % urls.length] ?? '').replace(/^http/, 'ws')}${path}`
          const ws = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
          ws.on('message', (data: Buffer) => {
            // Messages only: presence frames of the connections and `ready` are not deliveries.
            if (data.indexOf(MESSAGE_CREATED) < 0) return
            state.frames++
            state.lastAt = performance.now()
            if (!state.sample) state.sample = String(data)
          })
          ws.once('open', () => resolve(ws))
          ws.once('error', reject)
        }),
    ),
  )
  /** Waits until no frame has come for `quietMs` (presence frames of the connections settle). */
  const settle = async (quietMs = 500) => {
    let seen = -1
    while (seen !== state.frames) {
      seen = state.frames
      await new Promise((resolve) => setTimeout(resolve, quietMs))
    }
  }
  const until = async (frames: number, timeoutMs = 180_000) => {
    const deadline = Date.now() + timeoutMs
    while (state.frames < frames) {
      if (Date.now() > deadline) throw new Error(`only ${state.frames} of ${frames} frames arrived`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  return {
    state,
    settle,
    until,
    close: () =>
      Promise.all(sockets.map((ws) => new Promise((resolve) => ws.once('close', resolve).close()))),
  }
}

let resets = 0

/** A POST, tried again when the connection was reset (counted, and printed with the results). */
async function post(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url, init)
    } catch (err) {
      resets++
      if (attempt >= 3) throw err
    }
  }
}

/** The authors post `count` messages in all, each after their previous one is answered, to the nodes in turn. */
async function postAll(urls: string[], group: Group, count: number) {
  const { conversationId } = group
  let posted = 0
  await Promise.all(
    group.authorTokens.map(async (token, a) => {
      const url = urls[a % urls.length]
      for (let i = 0; posted < count; i++) {
        posted++
        const res = await post(`${url}/api/conversations/${conversationId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            client_id: newId(),
            body: `Message ${a}-${i}: une phrase de longueur ordinaire.`,
          }),
        })
        if (res.status !== 201) throw new Error(`post answered ${res.status}: ${await res.text()}`)
      }
    }),
  )
}

/** What a message.created carries (a message view), for the deliveries that skip the HTTP post. */
const messageData = (group: Group) => ({
  conversation_id: group.conversationId,
  author_id: group.actorId,
  client_id: 'bench',
  body: 'Message 0-0: une phrase de longueur ordinaire.',
  state: 'sent',
  created_at: new Date().toISOString(),
  edited_at: null,
  deleted_at: null,
  attachments: [],
})

/** The gateway's own fan-out: events stored and published by the nodes (in turn), no HTTP post in front. */
async function measureFanout(servers: BenchServer[], group: Group) {
  const sockets = await listeners(
    servers.map((s) => s.url),
    '/api/realtime',
    group.listenerTokens,
  )
  await sockets.settle()
  const deliver = (server: BenchServer, count: number) =>
    post(`${server.url}/bench/deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...group, data: messageData(group), count, lanes: 4 }),
    })
  await Promise.all(servers.map((s) => deliver(s, 20)))
  await sockets.until(20 * servers.length * LISTENERS)
  sockets.state.frames = 0
  const started = performance.now()
  const share = Math.ceil(MESSAGES / servers.length)
  await Promise.all(servers.map((s, i) => deliver(s, Math.min(share, MESSAGES - i * share))))
  await sockets.until(LISTENERS * MESSAGES)
  const ms = sockets.state.lastAt - started
  const sample = sockets.state.sample
  await sockets.close()
  return { deliveriesPerSec: (LISTENERS * MESSAGES) / (ms / 1000), ms, sample }
}

async function measureGateway(servers: BenchServer[], group: Group) {
  const urls = servers.map((s) => s.url)
  const sockets = await listeners(urls, '/api/realtime', group.listenerTokens)
  await sockets.settle()
  // Warm-up: a few messages, so that the measured ones pay no compilation.
  const before = sockets.state.frames
  await postAll(urls, group, 20)
  await sockets.until(before + 20 * LISTENERS)
  sockets.state.frames = 0
  const started = performance.now()
  await postAll(urls, group, MESSAGES)
  await sockets.until(LISTENERS * MESSAGES)
  const ms = sockets.state.lastAt - started
  const sample = sockets.state.sample
  await sockets.close()
  return { deliveriesPerSec: (LISTENERS * MESSAGES) / (ms / 1000), ms, sample }
}

async function measureBaseline(server: BenchServer, payload: string) {
  const sockets = await listeners(
    [server.url],
    '/',
    Array.from({ length: LISTENERS }, () => null),
  )
  const broadcast = (count: number) =>
    fetch(`${server.url}/broadcast`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count, payload }),
    })
  await broadcast(20)
  await sockets.until(LISTENERS * 20)
  sockets.state.frames = 0
  const started = performance.now()
  await broadcast(MESSAGES)
  await sockets.until(LISTENERS * MESSAGES)
  const ms = sockets.state.lastAt - started
  await sockets.close()
  return { deliveriesPerSec: (LISTENERS * MESSAGES) / (ms / 1000), ms }
}

async function redisReachable() {
  const { Redis } = await import('ioredis')
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

function log(line: string) {
  process.stderr.write(`  … ${line}\n`)
}

/** The real-time rows and target lines of one run, SQLite always, PostgreSQL (and two nodes) when reachable. */
export async function realtimeBench(pinning: Pinning) {
  const rows: RealtimeRow[] = []
  const targets: [string, string, number, number][] = []
  // BENCH_REALTIME_CLIENTS=0 skips it.
  if (LISTENERS === 0) return { rows, targets }
  const start = async (env: Record<string, string>) => startBenchServer(env, pinning.server)
  // BENCH_REALTIME_DIALECTS=sqlite (or postgres) runs one of them only.
  const only = process.env.BENCH_REALTIME_DIALECTS?.split(',')
  const reachable: ('sqlite' | 'postgres')[] = (await postgresReachable())
    ? ['sqlite', 'postgres']
    : ['sqlite']
  const dialects = reachable.filter((d) => !only || only.includes(d))
  const withRedis = dialects.includes('postgres') && (await redisReachable())
  for (const dialect of dialects) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sillon-bench-rt-'))
    const schema = `bench_rt_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
    const target: BenchTarget =
      dialect === 'sqlite' ? { dialect, dataDir } : { dialect, dataDir, url: TEST_DATABASE_URL, schema }
    try {
      if (dialect === 'postgres') await adminQuery(`create schema ${schema}`)
      const database = openTarget(target)
      await migrateToLatest(database.db)
      log(`${dialect}: seeding ${LISTENERS} listeners and ${AUTHORS} authors in one group conversation`)
      const group = await seedGroup(buildBenchApp(target, database))
      await database.close()
      const env = { BENCH_SERVER: 'app', BENCH_TARGET: JSON.stringify(target), BENCH_NOTIFY: 'off' }
      pinProcess(process.pid, pinning.load)

      log(`${dialect}: one node, ${MESSAGES} messages to ${LISTENERS} sockets`)
      const one = await start(env)
      const gateway = await measureFanout([one], group).catch(async (err) => {
        await one.stop()
        throw err
      })
      rows.push({
        dialect,
        scenario: 'gateway fan-out, one node',
        deliveriesPerSec: gateway.deliveriesPerSec,
        ms: gateway.ms,
      })
      log(`${dialect}: the same through HTTP posts (end to end)`)
      const viaHttp = await measureGateway([one], group).finally(() => one.stop())
      rows.push({
        dialect,
        scenario: 'HTTP posts, end to end',
        deliveriesPerSec: viaHttp.deliveriesPerSec,
        ms: viaHttp.ms,
      })

      log(`${dialect}: bare ws broadcast of the same frame`)
      const bare = await start({ BENCH_SERVER: 'ws-baseline' })
      const baseline = await measureBaseline(bare, gateway.sample).finally(() => bare.stop())
      rows.push({
        dialect,
        scenario: 'bare ws broadcast',
        deliveriesPerSec: baseline.deliveriesPerSec,
        ms: baseline.ms,
      })
      targets.push([
        dialect,
        'fan-out deliveries/s ÷ bare ws broadcast',
        gateway.deliveriesPerSec / baseline.deliveriesPerSec,
        TARGETS.fanout,
      ])

      if (dialect === 'postgres' && withRedis) {
        log(`${dialect}: two nodes through Redis`)
        const nodes = [
          await start({ ...env, BENCH_REDIS_URL: REDIS_URL }),
          await start({ ...env, BENCH_REDIS_URL: REDIS_URL }),
        ]
        const two = await measureFanout(nodes, group).finally(() => Promise.all(nodes.map((n) => n.stop())))
        rows.push({
          dialect,
          scenario: 'gateway, two nodes + Redis',
          deliveriesPerSec: two.deliveriesPerSec,
          ms: two.ms,
        })
        targets.push([
          dialect,
          'two nodes through Redis ÷ one node',
          two.deliveriesPerSec / gateway.deliveriesPerSec,
          TARGETS.twoNodes,
        ])
      }
    } finally {
      pinProcess(process.pid, pinning.all)
      if (dialect === 'postgres') await adminQuery(`drop schema if exists ${schema} cascade`)
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  return { rows, targets }
}

export function printRealtime({ rows, targets }: Awaited<ReturnType<typeof realtimeBench>>) {
  console.log(
    `\nReal time: one group conversation, ${LISTENERS} connected members, ${AUTHORS} authors posting ` +
      `${MESSAGES} messages over HTTP (in-app notifications off); deliveries/s from the first post to the last delivery`,
  )
  for (const r of rows) {
    const rate = Math.round(r.deliveriesPerSec).toLocaleString('en-US').padStart(9)
    console.log(
      `${r.dialect.padEnd(8)}  ${r.scenario.padEnd(28)}  ${rate} deliveries/s  (${Math.round(r.ms)} ms)`,
    )
  }
  if (resets > 0) console.log(`(${resets} posts were sent again after a connection reset)`)
  for (const [dialect, what, value, target] of targets) {
    const verdict = value >= target ? 'PASS' : 'BELOW'
    console.log(
      `${dialect.padEnd(8)}  ${what.padEnd(42)}  ${value.toFixed(3)}  (target ≥ ${target})  ${verdict}`,
    )
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pinning = planPinning()
  console.log(pinning.note)
  process.on('exit', () => console.log('resets', resets))
  printRealtime(await realtimeBench(pinning))
}
