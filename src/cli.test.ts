import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, TestClient } from '../test/helpers/app.ts'
import { inTurn, sillon } from '../test/helpers/cli.ts'
import { adminQuery, postgresDatabaseUrl, uniqueDatabaseName } from '../test/helpers/database-templates.ts'
import { testDialects } from '../test/helpers/databases.ts'
import { type FakeStreamApi, startFakeStreamApi } from '../test/helpers/stream-api.ts'
import { openPostgres, openSqlite } from './core/db/connect-node.ts'
import type { DbHandle } from './core/db/database.ts'
import { DEMO_ORG, demoAccounts } from './demo.ts'

// These tests run `sillon` in this process (runCli, what bin/sillon.js calls), with the cheap password hasher
// of the other tests; cli-smoke.test.ts runs the real command. Each dialect shares one database across its
// tests, which run in order, and the app those tests sign in to runs here too, on the same database.

const SESSION_SECRET = 'cli-test-secret-that-is-long-enough-for-better-auth'

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? ''
}

type SpawnDatabase = {
  dataDir: string
  /** What the command needs in its environment to use this database. */
  env: Record<string, string>
  /** Another connection to it, for the app (once the command has created it). */
  open(): DbHandle
  /** The tables of the PostgreSQL schema (empty on SQLite). */
  tables(): Promise<string[]>
  drop(): Promise<void>
}

/**
 * A fresh, empty database for the command: a new DATA_DIR, plus a new database on PostgreSQL (not a schema
 * of the shared one, whose schemas other test runs create and drop while the migrator lists them).
 */
async function freshDatabase(dialect: string): Promise<SpawnDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sillon-cli-'))
  if (dialect === 'sqlite') {
    return {
      dataDir,
      env: { DATA_DIR: dataDir },
      open: () => openSqlite(join(dataDir, 'sillon.db')),
      tables: async () => [],
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    }
  }
  const name = uniqueDatabaseName('sillon_cli')
  await adminQuery(`create database ${name}`)
  const url = postgresDatabaseUrl(name)
  return {
    dataDir,
    env: { DATA_DIR: dataDir, DATABASE_URL: url, SESSION_SECRET },
    open: () => openPostgres(url, { max: 5 }),
    tables: async () => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        const { rows } = await client.query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = 'public'",
        )
        return rows.map((r) => r.table_name)
      } finally {
        await client.end()
      }
    },
    drop: async () => {
      await adminQuery(`drop database if exists ${name} with (force)`)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

describe.each(testDialects())('the sillon command on %s', (dialect) => {
  let database: SpawnDatabase
  let env: Record<string, string>
  const publicUrl = 'http://127.0.0.1:4000'
  let server: Promise<TestApp> | undefined
  const run = (...args: string[]) => sillon(args, env)

  /** The app on the same database, started on first use (once the migrate test has created its tables). */
  function app(): Promise<TestApp> {
    server ??= inTurn(async () => {
      const handle = database.open()
      const t = await startTestApp(dialect, { database: { ...handle, url: '', drop: handle.close } })
      // The command runs on the real clock: the app follows it, so both judge expiries at one time.
      t.clock.set(new Date().toISOString())
      return t
    })
    return server
  }

  beforeAll(async () => {
    database = await freshDatabase(dialect)
    env = { ...database.env, PUBLIC_URL: publicUrl }
  })
  afterAll(async () => {
    const running = await server?.catch(() => undefined)
    await running?.close()
    await database?.drop()
  })

  it('migrates a fresh database, then says it is up to date', async () => {
    const first = await run('migrate')
    expect(first).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toMatch(/^applied: \S+/)
    const second = await run('migrate')
    expect(second).toMatchObject({ code: 0, stdout: 'database is up to date\n', stderr: '' })
    if (dialect === 'sqlite') expect(existsSync(join(database.dataDir, 'sillon.db'))).toBe(true)
    else
      expect(await database.tables()).toEqual(
        expect.arrayContaining(['organisations', 'users', 'memberships']),
      )
  })

  it('creates an organisation, and refuses a slug already taken with exit code 1', async () => {
    const created = await run('org', 'create', 'val-school', '--name', 'École du Val', '--locale', 'en')
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/^organisation "École du Val" created \(slug val-school, id \S+\)$/m)
    const again = await run('org', 'create', 'val-school', '--name', 'Another school')
    expect(again).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'sillon: An organisation with the slug "val-school" already exists\n',
    })
  })

  it('creates a member with a password who can then sign in to the app', async () => {
    // The server starts meanwhile: both are slow, and the member exists before anyone signs in.
    const [created, { url }] = await Promise.all([
      run(
        'user',
        'create',
        '--org',
        'val-school',
        '--email',
        'Ada.Teacher@Example.org',
        '--role',
        'instructor',
        '--name',
        'Ada Teacher',
        '--password',
        'a-long-passphrase',
      ),
      app(),
    ])
    expect(created).toMatchObject({
      code: 0,
      stdout: 'ada.teacher@example.org is now instructor in val-school (account created)\n',
    })
    const client = new TestClient(url)
    const login = await client.post('/api/auth/login', {
      email: 'ada.teacher@example.org',
      password: 'a-long-passphrase',
    })
    expect(login.status).toBe(200)
    expect(login.body).toMatchObject({
      user: { email: 'ada.teacher@example.org', name: 'Ada Teacher' },
      organisation: { slug: 'val-school' },
      role: 'instructor',
    })
  })

  it('prints a new API token alone on the last line, and the token authenticates as the member', async () => {
    const created = await run(
      'token',
      'create',
      '--org',
      'val-school',
      '--email',
      'ada.teacher@example.org',
      '--name',
      'Grading script',
      '--expires-in-days',
      '30',
    )
    expect(created.code).toBe(0)
    const token = lastLine(created.stdout)
    expect(token).toMatch(/^sil_\S+$/)
    expect(created.stdout).toContain('"Grading script"')
    const { url } = await app()
    const me = await new TestClient(url, { token }).get('/api/auth/me')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({
      user: { email: 'ada.teacher@example.org' },
      organisation: { slug: 'val-school' },
      role: 'instructor',
      auth_method: 'token',
    })
    const forged = await new TestClient(url, { token: `${token.slice(0, -4)}abcd` }).get('/api/auth/me')
    expect(forged.status).toBe(401)
  })

  it('without --password, prints an invitation link to the public URL instead', async () => {
    const invited = await run(
      'user',
      'create',
      '--org',
      'val-school',
      '--email',
      'noa@example.org',
      '--role',
      'student',
    )
    expect(invited.code).toBe(0)
    expect(invited.stdout).toMatch(
      /^invitation for noa@example\.org as student in val-school, valid until \S+:$/m,
    )
    const link = lastLine(invited.stdout)
    expect(link.startsWith(`${publicUrl}/join#token=`), link).toBe(true)
    expect(link.length).toBeGreaterThan(`${publicUrl}/join#token=`.length + 20)
    const login = await new TestClient((await app()).url).post('/api/auth/login', {
      email: 'noa@example.org',
      password: 'a-long-passphrase',
    })
    expect(login.status).toBe(401)
  })

  it('refuses an unknown organisation, or a token for a non-member, with exit code 1', async () => {
    const [user, token, stranger] = await Promise.all([
      run('user', 'create', '--org', 'nowhere', '--email', 'x@example.org', '--role', 'student'),
      run('token', 'create', '--org', 'nowhere', '--email', 'x@example.org'),
      run('token', 'create', '--org', 'val-school', '--email', 'stranger@example.org'),
    ])
    for (const result of [user, token]) {
      expect(result).toMatchObject({
        code: 1,
        stdout: '',
        stderr: 'sillon: Organisation "nowhere" not found\n',
      })
    }
    expect(stranger).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'sillon: Member stranger@example.org not found\n',
    })
  })

  it('grants and revokes platform administration by e-mail', async () => {
    const { url } = await app()
    const client = new TestClient(url)
    await client.post('/api/auth/login', { email: 'ada.teacher@example.org', password: 'a-long-passphrase' })
    const school = { slug: 'new-school', name: 'New School' }
    expect((await client.post('/api/admin/organisations', school)).status).toBe(403)

    const granted = await run('superadmin', 'grant', '--email', 'Ada.Teacher@example.org')
    expect(granted).toMatchObject({
      code: 0,
      stdout: 'ada.teacher@example.org is now a platform administrator\n',
    })
    expect((await client.post('/api/admin/organisations', school)).status).toBe(201)

    expect((await run('superadmin', 'revoke', '--email', 'ada.teacher@example.org')).code).toBe(0)
    expect((await client.get('/api/admin/organisations')).status).toBe(403)
    expect(await run('superadmin', 'grant', '--email', 'ghost@example.org')).toMatchObject({
      code: 1,
      stderr: 'sillon: Account ghost@example.org not found\n',
    })
  })

  it('seeds the demo school once', async () => {
    const first = await run('seed-demo')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(`demo school "${DEMO_ORG.name}" created`)
    for (const account of demoAccounts) expect(first.stdout).toContain(account.email)
    const second = await run('seed-demo')
    expect(second.code).toBe(0)
    expect(second.stdout).toContain(`demo school "${DEMO_ORG.slug}" already exists`)
  })

  it('shows, catches up and rebuilds projections', async () => {
    const { url } = await app()
    const lea = new TestClient(url)
    await lea.post('/api/auth/login', { email: 'lea@demo.sillon.test', password: 'demo-sillon' })
    const [course] = (await lea.get('/api/learner')).body.courses
    const ping = await lea.post('/api/video-event', { class_id: course.current_step.class_id, position: 0 })
    expect(ping.status).toBe(200)
    const rebuilt = await run('projections', 'rebuild')
    expect(rebuilt.code).toBe(0)
    expect(rebuilt.stdout).toMatch(/^user_progress: rebuilt from 1 event\(s\) in [\d.]+ s$/m)
    expect(rebuilt.stdout).toMatch(/^user_progress: at \d+, lag 0$/m)
    const reconciled = await run('projections', 'reconcile')
    expect(reconciled.stdout).toContain('user_progress: 0 event(s) applied')
    const unknown = await run('projections', 'rebuild', 'nope')
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^sillon: no projection named nope \(known: user_progress, .*gamification_xp.*\)\n$/,
      ),
    })
  })

  it('lists the jobs, and runs one by hand for the period containing --at once, then skips it', async () => {
    const [before, unknown] = await Promise.all([run('jobs', 'list'), run('jobs', 'run', 'nope')])
    expect(before).toMatchObject({ code: 0, stderr: '' })
    expect(before.stdout).toMatch(/^jobs\.prune-runs {2}17 3 \* \* \* \(UTC\) {2}never run$/m)
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^sillon: no job named nope \(known: .*jobs\.prune-runs.*\)\n$/),
    })

    const at = ['--at', '2026-11-22T10:00:00+01:00']
    const first = await run('jobs', 'run', 'jobs.prune-runs', ...at)
    expect(first).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toMatch(/^jobs\.prune-runs for 2026-11-22T03:17:00\.000Z: ok in \d+ ms$/m)
    const [again, after] = await Promise.all([
      run('jobs', 'run', 'jobs.prune-runs', ...at),
      run('jobs', 'list'),
    ])
    expect(again).toMatchObject({ code: 0, stderr: '' })
    expect(again.stdout).toMatch(
      /^jobs\.prune-runs for 2026-11-22T03:17:00\.000Z: skipped, already done \(run \S+\)$/m,
    )
    expect(after.stdout).toMatch(
      /^jobs\.prune-runs {2}17 3 \* \* \* \(UTC\) {2}last run ok for 2026-11-22T03:17:00\.000Z, started \S+, \d+ ms$/m,
    )
  })

  it('exports a course as a document and imports it as a draft into another school', async () => {
    const { url } = await app()
    const teacher = new TestClient(url)
    await teacher.post('/api/auth/login', { email: 'prof@demo.sillon.test', password: 'demo-sillon' })
    const [demoCourse] = (await teacher.get('/api/lms/courses')).body
    const exported = await run('course', 'export', demoCourse.id)
    expect(exported.code).toBe(0)
    const document = JSON.parse(exported.stdout)
    expect(document).toMatchObject({ format: 'sillon.course', course: { name: demoCourse.name } })

    const scratch = mkdtempSync(join(tmpdir(), 'sillon-course-'))
    const file = join(scratch, 'course.json')
    writeFileSync(file, exported.stdout)
    const imported = await run('course', 'import', file, '--org', 'val-school')
    expect(imported.code).toBe(0)
    const courseId = lastLine(imported.stdout)
    const ada = new TestClient(url)
    await ada.post('/api/auth/login', { email: 'ada.teacher@example.org', password: 'a-long-passphrase' })
    const copy = await ada.get(`/api/lms/courses/${courseId}`)
    expect(copy.body).toMatchObject({ name: demoCourse.name, status: 'draft', step_count: 4 })

    writeFileSync(file, JSON.stringify({ format: 'sillon.course', version: 1, course: {}, steps: [] }))
    const invalid = await run('course', 'import', file, '--org', 'val-school')
    expect(invalid.code).toBe(1)
    expect(invalid.stderr).toContain('is not a Sillon course document: course.name')
    expect((await run('course', 'export', 'no-such-course')).stderr).toBe(
      'sillon: Course no-such-course not found\n',
    )
    rmSync(scratch, { recursive: true, force: true })
  })
})

describe('the sillon command given bad arguments', () => {
  // Usage errors are caught before any database is opened, so one dialect-free run covers them.
  let scratch: string
  let env: Record<string, string>

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'sillon-cli-'))
    env = { DATA_DIR: join(scratch, 'data') }
  })
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('exits with code 2, the reason and the usage, and touches no database', async () => {
    const cases: [args: string[], reason: string][] = [
      [[], 'no command given'],
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['user', 'create', '--org', 'val-school', '--role', 'student'], 'missing --email'],
      [
        ['user', 'create', '--org', 'val-school', '--email', 'a@example.org', '--role', 'janitor'],
        '--role must be one of: owner, admin, instructor, student, support (got "janitor")',
      ],
      [['org', 'create', 'val-school', '--name', 'School', '--colour', 'red'], "Unknown option '--colour'"],
      [
        ['token', 'create', '--org', 'val-school', '--email', 'a@example.org', '--expires-in-days', '0'],
        '--expires-in-days must be a positive whole number',
      ],
      [['stream', 'upload', '--name', 'Lesson 1'], 'missing --file'],
      [['jobs', 'run'], 'missing <name>'],
      [['jobs', 'run', 'jobs.prune-runs', '--at', 'yesterday'], '--at "yesterday" is not an ISO 8601 date'],
      [
        ['stream', 'upload', '--file', 'a.mp4', '--name', 'Lesson 1', '--max-duration-seconds', '1h'],
        '--max-duration-seconds must be a positive whole number',
      ],
    ]
    const results = await Promise.all(cases.map(([args]) => sillon(args, env)))
    results.forEach((result, i) => {
      const [args, reason] = cases[i]!
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
      expect(result.stderr).toMatch(/^sillon: /)
      expect(result.stderr.split('\n')[0]).toContain(reason)
      expect(result.stderr).toContain('Usage: sillon <command> [options]')
    })
    expect(existsSync(env.DATA_DIR!)).toBe(false)
  })

  it('prints the usage and exits with code 0 on --help', async () => {
    const help = await sillon(['--help'], env)
    expect(help).toMatchObject({ code: 0, stderr: '' })
    expect(help.stdout).toMatch(/^Usage: sillon <command> \[options\]/)
    for (const command of [
      'migrate',
      'org create',
      'user create',
      'token create',
      'seed-demo',
      'jobs list',
      'jobs run',
      'stream upload',
    ]) {
      expect(help.stdout).toContain(command)
    }
  })
})

describe('sillon stream upload', () => {
  // Runs against a loopback stand-in for the Cloudflare Stream API (CLOUDFLARE_API_BASE_URL points at it).
  let stream: FakeStreamApi
  let scratch: string
  let video: string
  const bytes = Buffer.from(`a short lesson, as bytes ${'0123456789'.repeat(1000)}`)

  const streamEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
    DATA_DIR: join(scratch, 'data'),
    CLOUDFLARE_ACCOUNT_ID: stream.accountId,
    CLOUDFLARE_STREAM_API_TOKEN: stream.apiToken,
    CLOUDFLARE_API_BASE_URL: stream.baseUrl,
    ...overrides,
  })

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'sillon-cli-stream-'))
    video = join(scratch, 'lesson-1.mp4')
    writeFileSync(video, bytes)
    stream = await startFakeStreamApi()
  })
  afterAll(async () => {
    await stream?.close()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('uploads the file, prints progress and the video uid alone on the last line, without a database', async () => {
    stream.processing = { readyToStream: false, duration: -1, state: 'queued' }
    const uploaded = await sillon(['stream', 'upload', '--file', video, '--name', 'Leçon 1'], streamEnv())
    expect(uploaded).toMatchObject({ code: 0, stderr: '' })
    const uid = lastLine(uploaded.stdout)
    expect(uid).toMatch(/^[0-9a-f]{32}$/)
    expect(uploaded.stdout).toBe(
      [
        'asking Cloudflare Stream for a one-time upload URL',
        `uploading lesson-1.mp4 (10 KB) as video ${uid}`,
        'uploaded: processing (queued)',
        uid,
        '',
      ].join('\n'),
    )
    const received = stream.videos.get(uid)!
    expect(received.request).toEqual({ maxDurationSeconds: 21600, meta: { name: 'Leçon 1' } })
    expect(received.file?.bytes.equals(bytes)).toBe(true)
    expect(existsSync(join(scratch, 'data'))).toBe(false)
  })

  it('prints the duration when Cloudflare reports it, and asks for signed URLs when told', async () => {
    stream.processing = { readyToStream: true, duration: 42.5, state: 'ready' }
    const uploaded = await sillon(
      [
        'stream',
        'upload',
        '--file',
        video,
        '--name',
        'Lesson 1',
        '--max-duration-seconds',
        '600',
        '--require-signed-urls',
      ],
      streamEnv(),
    )
    expect(uploaded).toMatchObject({ code: 0, stderr: '' })
    const uid = lastLine(uploaded.stdout)
    expect(uploaded.stdout).toContain(
      'uploaded: ready to stream, plays with signed tokens only\nduration: 42.5 s\n',
    )
    expect(stream.videos.get(uid)!.request).toEqual({
      maxDurationSeconds: 600,
      meta: { name: 'Lesson 1' },
      requireSignedURLs: true,
    })
  })

  it("exits with code 1 and Cloudflare's message when the token is refused, or when the file is missing", async () => {
    const missing = join(scratch, 'missing.mp4')
    const [refused, noFile] = await Promise.all([
      sillon(
        ['stream', 'upload', '--file', video, '--name', 'Lesson 1'],
        streamEnv({ CLOUDFLARE_STREAM_API_TOKEN: 'a-revoked-token' }),
      ),
      sillon(['stream', 'upload', '--file', missing, '--name', 'Lesson 1'], streamEnv()),
    ])
    expect(refused).toMatchObject({
      code: 1,
      stderr: 'sillon: creating the upload URL: Cloudflare answered 401: Authentication error (code 10000)\n',
    })
    expect(refused.stdout).not.toMatch(/^[0-9a-f]{32}$/m)
    expect(noFile).toMatchObject({ code: 1, stdout: '', stderr: `sillon: no such file: ${missing}\n` })
  })

  it('exits with code 1 naming the Cloudflare variables when they are not set', async () => {
    const [neither, halfSet] = await Promise.all([
      sillon(['stream', 'upload', '--file', video, '--name', 'Lesson 1'], {
        DATA_DIR: join(scratch, 'data'),
      }),
      sillon(['stream', 'upload', '--file', video, '--name', 'Lesson 1'], {
        DATA_DIR: join(scratch, 'data'),
        CLOUDFLARE_ACCOUNT_ID: stream.accountId,
      }),
    ])
    expect(neither).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'sillon: stream upload needs CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_STREAM_API_TOKEN (an API token with Stream Edit)\n',
    })
    expect(halfSet.code).toBe(1)
    expect(halfSet.stderr).toContain(
      'CLOUDFLARE_STREAM_API_TOKEN: CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_STREAM_API_TOKEN must be set together',
    )
  })
})
