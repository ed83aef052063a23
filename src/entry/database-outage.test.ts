import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, TestClient } from '../../test/helpers/app.ts'
import { createOrg, signedInMember } from '../../test/helpers/factories.ts'
import {
  createPrivatePostgres,
  type PrivatePostgres,
  privatePostgresAvailable,
} from '../../test/helpers/private-postgres.ts'
import { freePort, killChildren, type RunningServer, startServer } from '../../test/helpers/processes.ts'
import { loadConfig } from '../core/config.ts'
import { openDatabase } from './runtime.ts'

// A PostgreSQL restart or stall seen by a real server process: it answers 503 while the database is away,
// never crashes nor hangs, and serves again once it is back, without a restart and without losing anything
// it acknowledged. The database is a private cluster that the test stops, starts, freezes and thaws.
// On SQLite, the same answer when another process holds the write lock past the busy timeout.

const CONNECT_TIMEOUT_MS = 1_000
const STATEMENT_TIMEOUT_MS = 2_000
/**
 * Longest a request may take to fail while the database is away: the statement timeout, the 2 s the client
 * waits beyond it for a server that does not answer at all, and slack for a loaded machine.
 */
const FAIL_FAST_MS = STATEMENT_TIMEOUT_MS + 2_000 + 2_000
const RECOVERY_DEADLINE_MS = 20_000

type Answer = { status: number; body: any; retryAfter: string | null; ms: number }

describe.skipIf(!privatePostgresAvailable)('a server whose PostgreSQL goes away and comes back', () => {
  let database: PrivatePostgres
  let server: RunningServer
  let lea: TestClient
  let classId: string
  const dataDir = mkdtempSync(join(tmpdir(), 'sillon-outage-'))
  const acknowledged: string[] = []

  beforeAll(async () => {
    database = await createPrivatePostgres()
    server = await startServer({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      SESSION_SECRET: 'a-session-secret-for-the-outage-test-only',
      SEED_DEMO: 'true',
      DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    })
    lea = new TestClient(server.url)
    const login = await lea.post('/api/auth/login', {
      email: 'lea@demo.sillon.test',
      password: 'demo-sillon',
    })
    expect(login.status, 'the demo school is seeded').toBe(200)
    classId = (await lea.get('/api/learner')).body.courses[0].current_step.class_id
  }, 60_000)

  afterAll(async () => {
    await killChildren()
    await database?.destroy()
    rmSync(dataDir, { recursive: true, force: true })
  })

  /** A request with a deadline, so that a server that hangs fails the test instead of stalling it. */
  async function timed(path: string, body?: unknown, signedIn = true): Promise<Answer> {
    const started = performance.now()
    const headers: Record<string, string> = { origin: server.url }
    if (signedIn) headers.cookie = [...lea.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(new URL(path, server.url), {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(FAIL_FAST_MS * 3),
    })
    const text = await response.text()
    return {
      status: response.status,
      body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
      retryAfter: response.headers.get('retry-after'),
      ms: performance.now() - started,
    }
  }

  /** What a load balancer's health check sees: no session. */
  const health = () => timed('/api/health', undefined, false)

  const ping = (position: number) => {
    const eventId = crypto.randomUUID()
    return timed('/api/video-event', { event_id: eventId, class_id: classId, position }).then((answer) => {
      if (answer.status === 200 && answer.body.results[0].status === 'accepted') acknowledged.push(eventId)
      return answer
    })
  }

  async function sendAcknowledgedPings(count: number) {
    for (let i = 0; i < count; i++) {
      const answer = await ping(acknowledged.length)
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    }
  }

  /** Polls until `check` holds, within the recovery deadline. */
  async function until(what: string, check: () => Promise<boolean>) {
    const deadline = Date.now() + RECOVERY_DEADLINE_MS
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${RECOVERY_DEADLINE_MS} ms`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  function expectUnavailable(answer: Answer) {
    expect(answer.status, JSON.stringify(answer.body)).toBe(503)
    expect(answer.body.error.code).toBe('database_unavailable')
    expect(Number(answer.retryAfter)).toBeGreaterThan(0)
    expect(answer.ms).toBeLessThan(FAIL_FAST_MS)
  }

  async function storedEventIds(): Promise<Set<string>> {
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      const { rows } = await client.query<{ id: string }>('select id from lms_event')
      return new Set(rows.map((r) => r.id))
    } finally {
      await client.end()
    }
  }

  it('answers 503 during a restart, serves again once the database is back, and keeps every acknowledged event', async () => {
    await sendAcknowledgedPings(5)

    await database.stop()
    expectUnavailable(await ping(100))
    expectUnavailable(await timed('/api/learner'))
    const down = await health()
    expect(down.status).toBe(503)
    expect(down.body.db).toBe('unreachable')

    await database.start()
    await until('health answers ok', async () => (await health()).status === 200)
    await until('ingest accepts pings', async () => (await ping(acknowledged.length)).status === 200)
    await sendAcknowledgedPings(5)

    const stored = await storedEventIds()
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([])
    expect(server.stderr()).not.toContain('Unhandled')
  })

  it('answers 503 within the timeouts while the database stalls, then serves again', async () => {
    await database.start()
    await database.freeze()
    try {
      const answers = await Promise.all([ping(200), ping(201), timed('/api/learner')])
      for (const answer of answers) expectUnavailable(answer)
      expect((await health()).status).toBe(503)
    } finally {
      await database.thaw()
    }
    await until('ingest accepts pings', async () => (await ping(acknowledged.length)).status === 200)
    await sendAcknowledgedPings(3)

    const stored = await storedEventIds()
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([])
    expect(server.stderr()).not.toContain('Unhandled')
  })
})

describe('an embedded database locked by another process', () => {
  it('opens SQLite with the configured busy timeout', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sillon-busy-'))
    const database = openDatabase(loadConfig({ DATA_DIR: dataDir, SQLITE_BUSY_TIMEOUT_MS: '250' }))
    try {
      const { rows } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(database.db)
      expect(rows[0]?.timeout).toBe(250)
    } finally {
      await database.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('answers 503 to a write that waits for the lock past the busy timeout, and writes once it is free', async () => {
    const t = await startTestApp('sqlite')
    const other = new SQLite(
      (await sql<{ file: string }>`pragma database_list`.execute(t.database.db)).rows[0]?.file ?? '',
    )
    try {
      const { client } = await signedInMember(t, (await createOrg(t)).id, 'owner')
      await sql`pragma busy_timeout = 200`.execute(t.database.db)
      other.exec('begin immediate')
      const locked = await client.post('/api/lms/courses', { name: 'Pendant le verrou' })
      expect(locked.status, JSON.stringify(locked.body)).toBe(503)
      expect(locked.body.error.code).toBe('database_unavailable')
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
      other.exec('rollback')
      expect((await client.post('/api/lms/courses', { name: 'Après le verrou' })).status).toBe(201)
    } finally {
      other.close()
      await t.close()
    }
  })
})
