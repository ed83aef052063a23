import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestClient } from '../../test/helpers/app.ts'
import {
  freePort,
  killChildren,
  type RunningServer,
  runToExit,
  SERVER_ENTRY,
  startServer,
} from '../../test/helpers/processes.ts'
import { openSqlite } from '../core/db/connect-node.ts'
import { DEMO_ORG, DEMO_PASSWORD, demoAccounts } from '../demo.ts'

// These tests run `npm start` for real (node --import tsx src/entry/node.ts): each start costs a second or two.

/** pino's JSON lines among the server's output. */
function logMessages(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg?: string }).msg ?? '')
}

afterAll(killChildren)

describe('the Node server on a fresh embedded database', () => {
  // The tests below share one data folder and run in order: first start, then a restart on the same folder.
  let dataDir: string
  let env: Record<string, string>
  let first: RunningServer
  let lea: TestClient
  let secret: string

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sillon-node-'))
    env = { DATA_DIR: dataDir, PORT: String(await freePort()), LOG_LEVEL: 'info' }
    first = await startServer(env)
  })
  afterAll(async () => {
    await first?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('seeds the demo school and prints the URL, the demo password and every demo account', () => {
    const out = first.stdout()
    expect(out).toContain(`Sillon is running at ${first.url}  (API reference: ${first.url}/api/docs)`)
    expect(out).toContain(`Demo school "${DEMO_ORG.name}", password for every account: ${DEMO_PASSWORD}`)
    expect(DEMO_PASSWORD).toBe('demo-sillon')
    for (const account of ['owner direction', 'instructor prof', 'student lea', 'student hugo']) {
      const [role, user] = account.split(' ')
      expect(out).toMatch(new RegExp(`^ +${role} +${user}@demo\\.sillon\\.test$`, 'm'))
    }
    expect(logMessages(out)).toContain('demo school created')
    expect(logMessages(out)).toContain('jobs started')
    expect(existsSync(join(dataDir, 'sillon.db'))).toBe(true)
  })

  it('answers the health check with the database up', async () => {
    const health = await new TestClient(first.url).get('/api/health')
    expect(health.status).toBe(200)
    expect(health.body).toEqual({ status: 'ok', version: expect.any(String), db: 'ok' })
  })

  it('lets a demo student sign in with the demo password', async () => {
    lea = new TestClient(first.url)
    const res = await lea.post('/api/auth/login', { email: 'lea@demo.sillon.test', password: DEMO_PASSWORD })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      user: { email: 'lea@demo.sillon.test' },
      role: 'student',
      organisation: { slug: DEMO_ORG.slug },
    })
    expect(lea.cookies.has('sillon.session_token')).toBe(true)
  })

  it('generates a session secret in DATA_DIR that only its owner can read', () => {
    const file = join(dataDir, 'session-secret')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    secret = readFileSync(file, 'utf8').trim()
    expect(secret.length).toBeGreaterThanOrEqual(32)
  })

  it('serves the API reference page and the Swagger UI assets it loads', async () => {
    const client = new TestClient(first.url)
    const page = await client.get('/api/docs')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.body).toContain('/api/docs/assets/swagger-ui-bundle.js')
    const bundle = await client.get('/api/docs/assets/swagger-ui-bundle.js')
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('content-type')).toMatch(/^(text|application)\/javascript/)
    expect(bundle.body).toContain('SwaggerUIBundle')
    const css = await client.get('/api/docs/assets/swagger-ui.css')
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toMatch(/^text\/css/)
  })

  it('exits with code 0 on SIGTERM', async () => {
    expect(await first.stop()).toBe(0)
  })

  it('keeps the secret on restart, so sessions survive, and does not seed the demo school twice', async () => {
    const second = await startServer(env)
    try {
      expect(readFileSync(join(dataDir, 'session-secret'), 'utf8').trim()).toBe(secret)
      const me = await new TestClient(second.url).get('/api/auth/me', {
        cookie: `sillon.session_token=${lea.cookies.get('sillon.session_token')}`,
      })
      expect(me.status).toBe(200)
      expect(me.body).toMatchObject({ user: { email: 'lea@demo.sillon.test' }, auth_method: 'session' })
      expect(logMessages(second.stdout())).not.toContain('demo school created')

      const database = openSqlite(join(dataDir, 'sillon.db'))
      try {
        const members = await database.db
          .selectFrom('memberships')
          .innerJoin('organisations', 'organisations.id', 'memberships.org_id')
          .select('memberships.user_id')
          .where('organisations.slug', '=', DEMO_ORG.slug)
          .execute()
        expect(members).toHaveLength(demoAccounts.length)
        const users = await database.db.selectFrom('users').select('id').execute()
        expect(users).toHaveLength(demoAccounts.length)
      } finally {
        await database.close()
      }
    } finally {
      expect(await second.stop()).toBe(0)
    }
  })
})

describe('the Node server with SEED_DEMO=false', () => {
  let dataDir: string
  let server: RunningServer

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sillon-node-'))
    server = await startServer({
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
    })
  })
  afterAll(async () => {
    await server?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('creates no demo school and prints no demo accounts', async () => {
    expect(server.stdout()).toContain(`Sillon is running at ${server.url}`)
    expect(server.stdout()).not.toContain(DEMO_PASSWORD)
    expect(server.stdout()).not.toContain('@demo.sillon.test')
    const res = await new TestClient(server.url).post('/api/auth/login', {
      email: 'lea@demo.sillon.test',
      password: DEMO_PASSWORD,
    })
    expect(res.status).toBe(401)
    expect((await new TestClient(server.url).get('/api/health')).status).toBe(200)
  })

  it('exits with code 0 on SIGTERM', async () => {
    expect(await server.stop()).toBe(0)
  })
})

describe('the Node server with an invalid configuration', () => {
  let scratch: string

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'sillon-node-'))
  })
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('lists every problem on stderr, exits with code 1 and touches nothing', async () => {
    const dataDir = join(scratch, 'data')
    const result = await runToExit(SERVER_ENTRY, { DATA_DIR: dataDir, PORT: 'abc', LOG_LEVEL: 'loud' })
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines[0]).toBe('Invalid configuration:')
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}- PORT: /),
      expect.stringMatching(/^ {2}- LOG_LEVEL: /),
    ])
    expect(result.stdout).not.toContain('Sillon is running')
    expect(existsSync(dataDir)).toBe(false)
  })
})
