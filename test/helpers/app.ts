import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import pino from 'pino'
import { type App, type AppDeps, buildApp } from '../../src/app.ts'
import { fixedClock } from '../../src/core/clock.ts'
import { loadConfig } from '../../src/core/config.ts'
import type { SqlDialect } from '../../src/core/db/database.ts'
import { diskFileStore } from '../../src/core/files/disk-file-store.ts'
import { nodeClientIp } from '../../src/entry/runtime.ts'
import { nodeSchoolArchive } from '../../src/entry/school-transfer/port.ts'
import type { PasswordHasher } from '../../src/modules/identity/index.ts'
import { createRealtimeSocketServer } from '../../src/modules/messaging/index.ts'
import { createTestDatabase, type TestDatabase } from './databases.ts'

export type TestApp = App & {
  url: string
  database: TestDatabase
  clock: ReturnType<typeof fixedClock>
  client(options?: ClientOptions): TestClient
  close(): Promise<void>
}

type ClientOptions = { origin?: string | null; token?: string; headers?: Record<string, string> }

export type TestResponse<T = any> = { status: number; body: T; headers: Headers }

/** An HTTP client that keeps cookies like a browser and, by default, sends the app's own Origin. */
export class TestClient {
  readonly cookies = new Map<string, string>()

  constructor(
    readonly baseUrl: string,
    readonly options: ClientOptions = {},
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<TestResponse<T>> {
    const h = new Headers({ ...this.options.headers, ...headers })
    const origin = this.options.origin === undefined ? new URL(this.baseUrl).origin : this.options.origin
    if (origin && method !== 'GET' && !h.has('origin')) h.set('origin', origin)
    if (this.options.token) h.set('authorization', `Bearer ${this.options.token}`)
    if (this.cookies.size > 0) h.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    let payload: string | FormData | undefined
    if (body instanceof FormData) payload = body
    else if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body)
      if (!h.has('content-type')) h.set('content-type', 'application/json')
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers: h, body: payload })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = cookie.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((a) => /max-age=0\b/i.test(a.trim())) || value === ''
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    const text = await response.text()
    let parsed: unknown = text
    if (response.headers.get('content-type')?.includes('application/json') && text) parsed = JSON.parse(text)
    return { status: response.status, body: parsed as T, headers: response.headers }
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers)
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers)
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body ?? {}, headers)
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body ?? {}, headers)
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers)
  }
}

/**
 * A hasher as cheap as it gets, stored in scrypt's `salt:key` hex shape: scrypt is slow on purpose, and tests
 * create and sign in hundreds of members. The sign-in tests of sessions.test.ts keep the real one.
 */
export const cheapPasswordHasher: PasswordHasher = {
  hash: async (password) => {
    const salt = randomBytes(8).toString('hex')
    return `${salt}:${createHash('sha256').update(`${salt}:${password}`).digest('hex')}`
  },
  verify: async ({ hash, password }) => {
    const [salt = '', key] = hash.split(':')
    return createHash('sha256').update(`${salt}:${password}`).digest('hex') === key
  },
}

/**
 * The whole app on a fresh database, served over real HTTP on loopback. `env` overrides configuration;
 * the clock is fixed and moved by the test. Passwords are hashed by `cheapPasswordHasher` unless `deps` says otherwise.
 */
export async function startTestApp(
  dialect: SqlDialect,
  options: {
    env?: Record<string, string>
    deps?: Partial<Pick<AppDeps, 'planLimits' | 'progress' | 'streamSigner' | 'passwordHasher'>>
    /** Another node over an existing database (its own connections), instead of a fresh database. */
    database?: TestDatabase
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(dialect))
  const dataDir = mkdtempSync(join(tmpdir(), 'sillon-data-'))
  let handler: App['app'] | null = null
  const server = serve({
    fetch: (request, env) =>
      handler ? handler.fetch(request, env) : new Response('starting', { status: 503 }),
    port: 0,
    hostname: '127.0.0.1',
    websocket: { server: createRealtimeSocketServer() },
  })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const config = loadConfig({
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SESSION_SECRET: 'test-secret-that-is-long-enough-for-better-auth',
    ...options.env,
  })
  const clock = fixedClock('2026-11-22T09:00:00.000Z')
  const files = diskFileStore(join(dataDir, 'files'))
  const built = buildApp({
    database,
    config,
    secret: config.SESSION_SECRET ?? '',
    clock,
    logger: pino({ level: 'silent' }),
    clientIp: nodeClientIp(config.TRUST_PROXY),
    files,
    schoolArchive: nodeSchoolArchive({ database, files, clock }),
    passwordHasher: cheapPasswordHasher,
    ...options.deps,
  })
  handler = built.app
  return {
    ...built,
    url,
    database,
    clock,
    client: (clientOptions) => new TestClient(url, clientOptions),
    close: async () => {
      await built.realtime.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
