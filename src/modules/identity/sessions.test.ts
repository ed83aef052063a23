import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createMember, createOrg, PASSWORD, signIn } from '../../../test/helpers/factories.ts'
import { scryptPasswordHasher } from './password-hasher.ts'

describe.each(testDialects())('sessions on %s', (dialect) => {
  let t: TestApp
  let orgId: string

  beforeAll(async () => {
    // The one place tests keep the real scrypt hasher that others replace with a cheap one.
    t = await startTestApp(dialect, { deps: { passwordHasher: scryptPasswordHasher } })
    orgId = (await createOrg(t)).id
  })
  afterAll(() => t.close())

  it('signs in with a password and sets an HTTP-only, SameSite=Lax session cookie', async () => {
    const student = await createMember(t, orgId, 'student')
    const client = t.client()
    const res = await client.post('/api/auth/login', { email: student.email, password: PASSWORD })
    expect(res.status).toBe(200)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sillon.session_token='))
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).toMatch(/Max-Age=\d+/i)
    expect(res.body.user.email).toBe(student.email)
    expect(res.body.role).toBe('student')
    expect(res.body.organisation.id).toBe(orgId)
  })

  it('tells who is signed in, with the role and the student profile of the active organisation', async () => {
    const student = await createMember(t, orgId, 'student')
    const client = await signIn(t, student.email)
    const me = await client.get('/api/auth/me')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({
      user: { id: student.userId, email: student.email, is_superadmin: false },
      organisation: { id: orgId },
      role: 'student',
      instructor_id: null,
      auth_method: 'session',
    })
    const profile = await t.database.db
      .selectFrom('lms_student')
      .selectAll()
      .where('user_id', '=', student.userId)
      .executeTakeFirstOrThrow()
    expect(me.body.student_id).toBe(profile.id)
  })

  it('accepts the e-mail in any letter case', async () => {
    const student = await createMember(t, orgId, 'student')
    const client = t.client()
    const res = await client.post('/api/auth/login', {
      email: student.email.toUpperCase(),
      password: PASSWORD,
    })
    expect(res.status).toBe(200)
  })

  it('answers a wrong password and an unknown e-mail the same way, without saying which', async () => {
    const student = await createMember(t, orgId, 'student')
    const wrong = await t
      .client()
      .post('/api/auth/login', { email: student.email, password: 'not-the-password' })
    const unknown = await t
      .client()
      .post('/api/auth/login', { email: 'nobody@example.org', password: 'whatever-it-is' })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body).toEqual(unknown.body)
    expect(wrong.body.error).toEqual({ code: 'invalid_credentials', message: 'Invalid e-mail or password' })
  })

  it('stores passwords as scrypt hashes, never in clear', async () => {
    const student = await createMember(t, orgId, 'student')
    const account = await t.database.db
      .selectFrom('auth_accounts')
      .selectAll()
      .where('user_id', '=', student.userId)
      .executeTakeFirstOrThrow()
    expect(account.password).not.toContain(PASSWORD)
    expect(account.password).toMatch(/^[0-9a-f]+:[0-9a-f]+$/)
  })

  it('ends the session on logout', async () => {
    const student = await createMember(t, orgId, 'student')
    const client = await signIn(t, student.email)
    const stolenCookies = new Map(client.cookies)
    expect((await client.post('/api/auth/logout')).status).toBe(204)
    expect((await client.get('/api/auth/me')).status).toBe(401)
    const replay = t.client()
    for (const [k, v] of stolenCookies) replay.cookies.set(k, v)
    expect((await replay.get('/api/auth/me')).status).toBe(401)
  })

  it('refuses an expired session', async () => {
    const student = await createMember(t, orgId, 'student')
    const client = await signIn(t, student.email)
    await t.database.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
      .where('user_id', '=', student.userId)
      .execute()
    expect((await client.get('/api/auth/me')).status).toBe(401)
  })

  it('lets people change their own name and interface language', async () => {
    const student = await createMember(t, orgId, 'student')
    const client = await signIn(t, student.email)
    const res = await client.patch('/api/auth/me', { name: 'Léa M.', locale: 'en' })
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ name: 'Léa M.', locale: 'en' })
    expect((await client.patch('/api/auth/me', { locale: 'de' })).status).toBe(400)
    expect((await client.patch('/api/auth/me', { locale: null })).body.user.locale).toBeNull()
  })

  it('changes the password after checking the current one, and signs out the other sessions', async () => {
    const student = await createMember(t, orgId, 'student')
    const laptop = await signIn(t, student.email)
    const phone = await signIn(t, student.email)
    const wrong = await laptop.post('/api/auth/password', {
      current_password: 'nope-nope',
      new_password: 'brand-new-pass',
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.code).toBe('invalid_password')
    const tooShort = await laptop.post('/api/auth/password', {
      current_password: PASSWORD,
      new_password: 'short',
    })
    expect(tooShort.status).toBe(400)
    for (const weak of ['12345678', 'password']) {
      const res = await laptop.post('/api/auth/password', { current_password: PASSWORD, new_password: weak })
      expect(res.status, weak).toBe(400)
      expect(res.body.error.code).toBe('weak_password')
    }

    const changed = await laptop.post('/api/auth/password', {
      current_password: PASSWORD,
      new_password: 'brand-new-pass',
    })
    expect(changed.status).toBe(204)
    expect((await laptop.get('/api/auth/me')).status).toBe(200)
    expect((await phone.get('/api/auth/me')).status).toBe(401)
    expect(
      (await t.client().post('/api/auth/login', { email: student.email, password: PASSWORD })).status,
    ).toBe(401)
    expect(
      (await t.client().post('/api/auth/login', { email: student.email, password: 'brand-new-pass' })).status,
    ).toBe(200)
  })

  it('changes passwords only from a browser session, not with an API token', async () => {
    const student = await createMember(t, orgId, 'student')
    const client = await signIn(t, student.email)
    const token = (await client.post('/api/tokens', { name: 'script' })).body.token
    const res = await t
      .client({ token })
      .post('/api/auth/password', { current_password: PASSWORD, new_password: 'brand-new-pass' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('session_required')
  })

  it('refuses unsafe cookie-authenticated requests sent from another site', async () => {
    const admin = await createMember(t, orgId, 'admin')
    const client = await signIn(t, admin.email)
    const body = { name: 'Renamed by an attacker' }
    const foreign = await client.patch('/api/organisation', body, { origin: 'https://evil.example' })
    expect(foreign.status).toBe(403)
    expect(foreign.body.error.code).toBe('csrf_rejected')
    const crossSite = new (client.constructor as typeof import('../../../test/helpers/app.ts').TestClient)(
      t.url,
      {
        origin: null,
      },
    )
    for (const [k, v] of client.cookies) crossSite.cookies.set(k, v)
    const fetchMetadata = await crossSite.patch('/api/organisation', body, { 'sec-fetch-site': 'cross-site' })
    expect(fetchMetadata.status).toBe(403)
    const org = await t.database.db
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', orgId)
      .executeTakeFirst()
    expect(org?.name).not.toBe(body.name)
    const sameOrigin = await client.patch('/api/organisation', { name: 'École renommée' })
    expect(sameOrigin.status).toBe(200)
    expect(sameOrigin.body.name).toBe('École renommée')
  })
})

describe.each(testDialects())('sign-in limits on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  const school = { 'x-forwarded-for': '203.0.113.7' }
  const elsewhere = { 'x-forwarded-for': '198.51.100.4' }
  const login = (headers: Record<string, string>, email: string, password: string) =>
    t.client({ headers }).post('/api/auth/login', { email, password })

  beforeAll(async () => {
    // The defaults a school gets: 10 failures per account, 100 per address, in 15 minutes.
    t = await startTestApp(dialect, { env: { TRUST_PROXY: 'true' } })
    orgId = (await createOrg(t)).id
  })
  afterAll(() => t.close())

  // Thirty members made and signed in at once: slow on a busy machine, hence the longer bound.
  it('lets a class of 30 behind one school address all sign in', { timeout: 180_000 }, async () => {
    const students = await Promise.all(Array.from({ length: 30 }, () => createMember(t, orgId, 'student')))
    const statuses = await Promise.all(students.map((s) => login(school, s.email, PASSWORD)))
    expect(statuses.map((r) => r.status)).toEqual(students.map(() => 200))
  })

  it('stops guessing one account after 10 failures, without locking out the others on that address', async () => {
    const victim = await createMember(t, orgId, 'student')
    const classmate = await createMember(t, orgId, 'student')
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) statuses.push((await login(school, victim.email, 'wrong-password')).status)
    expect(statuses).toEqual([...Array(10).fill(401), 429])
    const blocked = await login(school, victim.email, PASSWORD)
    expect(blocked.status).toBe(429)
    expect(blocked.body.error.code).toBe('rate_limited')
    expect(blocked.body.error.details.retry_after_seconds).toBeGreaterThan(14 * 60)
    expect((await login(elsewhere, victim.email, PASSWORD)).status).toBe(429)
    expect((await login(school, classmate.email, PASSWORD)).status).toBe(200)
    t.clock.advance(15 * 60_000)
    try {
      expect((await login(school, victim.email, PASSWORD)).status).toBe(200)
    } finally {
      t.clock.advance(-15 * 60_000)
    }
  })

  it('forgives the failures of an account once it signs in', async () => {
    const student = await createMember(t, orgId, 'student')
    for (let i = 0; i < 9; i++) expect((await login(school, student.email, 'typo-password')).status).toBe(401)
    expect((await login(school, student.email, PASSWORD)).status).toBe(200)
    for (let i = 0; i < 9; i++) expect((await login(school, student.email, 'typo-password')).status).toBe(401)
    expect((await login(school, student.email, PASSWORD)).status).toBe(200)
  })

  it('lets no more than 10 guesses through when they arrive at the same moment', async () => {
    const student = await createMember(t, orgId, 'student')
    const attempts = await Promise.all(
      Array.from({ length: 20 }, () => login(elsewhere, student.email, 'wrong-password')),
    )
    const statuses = attempts.map((a) => a.status).sort()
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(10).fill(429)])
  })
})

describe.each(testDialects())('sign-in limits per address on %s', (dialect) => {
  let t: TestApp
  let orgId: string

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { TRUST_PROXY: 'true', LOGIN_FAILURES_PER_ADDRESS: '5' } })
    orgId = (await createOrg(t)).id
  })
  afterAll(() => t.close())

  it('slows an address that guesses across accounts, and leaves other addresses alone', async () => {
    const attacker = t.client({ headers: { 'x-forwarded-for': '203.0.113.9' } })
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const email = `guess-${i}@example.org`
      statuses.push((await attacker.post('/api/auth/login', { email, password: 'wrong-password' })).status)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
    const student = await createMember(t, orgId, 'student')
    expect(
      (await attacker.post('/api/auth/login', { email: student.email, password: PASSWORD })).status,
    ).toBe(429)
    const other = t.client({ headers: { 'x-forwarded-for': '198.51.100.9' } })
    expect((await other.post('/api/auth/login', { email: student.email, password: PASSWORD })).status).toBe(
      200,
    )
  })
})
