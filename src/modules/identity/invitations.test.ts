import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createMember, createOrg, PASSWORD, signedInMember, signIn } from '../../../test/helpers/factories.ts'

const tokenOf = (url: string) => new URL(url).hash.replace('#token=', '')
const STRONG = 'violet-harbour-lantern'

describe.each(testDialects())('invitations on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  async function invite(email: string, role = 'student', expires_in_days = 7) {
    const res = await admin.client.post('/api/invitations', { email, role, expires_in_days })
    expect(res.status).toBe(201)
    return res.body as { id: string; url: string; expires_at: string }
  }

  it('invites by e-mail with a single-use link that creates the account and signs the person in', async () => {
    const invitation = await invite('Chloe@Example.org', 'instructor')
    expect(invitation.url).toMatch(new RegExp(`^${t.url}/join#token=`))
    const token = tokenOf(invitation.url)

    const visitor = t.client()
    const preview = await visitor.post('/api/invitations/preview', { token })
    expect(preview.status).toBe(200)
    expect(preview.body).toMatchObject({
      email: 'chloe@example.org',
      role: 'instructor',
      signed_in_as_invitee: false,
    })

    const accepted = await visitor.post('/api/invitations/accept', {
      token,
      name: 'Chloé Roux',
      password: STRONG,
    })
    expect(accepted.status).toBe(200)
    expect(accepted.body).toMatchObject({ role: 'instructor', account_created: true, signed_in: true })
    const me = await visitor.get('/api/auth/me')
    expect(me.body).toMatchObject({
      user: { email: 'chloe@example.org', name: 'Chloé Roux' },
      role: 'instructor',
    })
    expect(me.body.instructor_id).toEqual(expect.any(String))

    const again = await t
      .client()
      .post('/api/invitations/accept', { token, name: 'Mallory', password: 'mallory-pass' })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('invitation_used')
  })

  it('stores only a hash of the link secret', async () => {
    const invitation = await invite('hash@example.org')
    const row = await t.database.db
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', invitation.id)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(row)).not.toContain(tokenOf(invitation.url))
  })

  it('needs a name and a password to create the account', async () => {
    const token = tokenOf((await invite('nopass@example.org')).url)
    const res = await t.client().post('/api/invitations/accept', { token })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('account_details_required')
    expect((await t.client().post('/api/invitations/preview', { token })).status).toBe(200)
  })

  it('joins an existing account only when its owner accepts while signed in with it', async () => {
    const otherOrg = await createOrg(t)
    const existing = await createMember(t, otherOrg.id, 'student')
    const token = tokenOf((await invite(existing.email)).url)
    const lastOrg = () =>
      t.database.db
        .selectFrom('users')
        .select('last_org_id')
        .where('id', '=', existing.userId)
        .executeTakeFirstOrThrow()

    const anonymous = await t
      .client()
      .post('/api/invitations/accept', { token, password: 'hijack-attempt-42' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.body.error.code).toBe('sign_in_required')
    const someoneElse = (await signedInMember(t, orgId, 'student')).client
    const wrongAccount = await someoneElse.post('/api/invitations/accept', { token })
    expect(wrongAccount.status).toBe(403)
    expect(wrongAccount.body.error.code).toBe('invitation_for_another_account')
    expect((await admin.client.get(`/api/members/${existing.userId}`)).status).toBe(404)
    expect((await lastOrg()).last_org_id).not.toBe(orgId)

    const owner = await signIn(t, existing.email)
    const preview = await owner.post('/api/invitations/preview', { token })
    expect(preview.body.signed_in_as_invitee).toBe(true)
    const accepted = await owner.post('/api/invitations/accept', { token })
    expect(accepted.status).toBe(200)
    expect(accepted.body).toMatchObject({ account_created: false, signed_in: true, user_id: existing.userId })
    expect((await owner.get('/api/auth/me')).body).toMatchObject({
      organisation: { id: orgId },
      role: 'student',
    })
    expect((await admin.client.get(`/api/members/${existing.userId}`)).status).toBe(200)
    expect(
      (await t.client().post('/api/auth/login', { email: existing.email, password: PASSWORD })).status,
    ).toBe(200)
  })

  it('refuses a weak password with zxcvbn feedback, and leaves the invitation usable', async () => {
    const token = tokenOf((await invite('camille.martin@example.org')).url)
    for (const password of ['12345678', 'password', 'camille2024!']) {
      const res = await t
        .client()
        .post('/api/invitations/accept', { token, name: 'Camille Martin', password })
      expect(res.status, password).toBe(400)
      expect(res.body.error.code).toBe('weak_password')
      expect(res.body.error.details).toMatchObject({ min_score: 3, score: expect.any(Number) })
      expect(
        res.body.error.details.suggestions.length + (res.body.error.details.warning ? 1 : 0),
      ).toBeGreaterThan(0)
    }
    const strong = await t
      .client()
      .post('/api/invitations/accept', { token, name: 'Camille Martin', password: STRONG })
    expect(strong.status).toBe(200)
  })

  it('refuses an expired invitation', async () => {
    const token = tokenOf((await invite('late@example.org', 'student', 1)).url)
    t.clock.advance(2 * 86_400_000)
    try {
      const res = await t
        .client()
        .post('/api/invitations/accept', { token, name: 'Late', password: 'late-password' })
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('invitation_expired')
    } finally {
      t.clock.advance(-2 * 86_400_000)
    }
  })

  it('refuses a revoked invitation and an unknown link alike', async () => {
    const invitation = await invite('revoked@example.org')
    expect((await admin.client.delete(`/api/invitations/${invitation.id}`)).status).toBe(204)
    const revoked = await t.client().post('/api/invitations/accept', {
      token: tokenOf(invitation.url),
      name: 'R',
      password: 'revoked-password',
    })
    expect(revoked.status).toBe(404)
    const unknown = await t.client().post('/api/invitations/preview', { token: 'x'.repeat(43) })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('invitation_invalid')
  })

  it('lists pending invitations only', async () => {
    const pending = await invite('pending@example.org')
    const used = await invite('used@example.org')
    await t
      .client()
      .post('/api/invitations/accept', { token: tokenOf(used.url), name: 'U', password: STRONG })
    const list = await admin.client.get('/api/invitations')
    const ids = list.body.data.map((i: { id: string }) => i.id)
    expect(ids).toContain(pending.id)
    expect(ids).not.toContain(used.id)
    expect(JSON.stringify(list.body)).not.toContain('token')
  })

  it('accepts a link only once even when two people try at the same moment', async () => {
    const token = tokenOf((await invite('race@example.org')).url)
    const attempts = await Promise.all(
      [1, 2, 3].map(() =>
        t.client().post('/api/invitations/accept', { token, name: 'Race', password: STRONG }),
      ),
    )
    expect(attempts.map((a) => a.status).sort()).toEqual([200, 409, 409])
    const users = await t.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'race@example.org')
      .execute()
    expect(users).toHaveLength(1)
  })

  it('refuses to invite a current member, and keeps owner invitations for owners', async () => {
    const member = await createMember(t, orgId, 'student')
    const dup = await admin.client.post('/api/invitations', { email: member.email, role: 'student' })
    expect(dup.status).toBe(409)
    const owner = await admin.client.post('/api/invitations', { email: 'boss@example.org', role: 'owner' })
    expect(owner.status).toBe(403)
  })
})

describe.each(testDialects())('accepting an invitation from a limited address on %s', (dialect) => {
  let t: TestApp

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { TRUST_PROXY: 'true', LOGIN_FAILURES_PER_ADDRESS: '2' } })
  })
  afterAll(() => t.close())

  it('answers its own success and signs the new account in, whatever the sign-in limits say', async () => {
    const orgId = (await createOrg(t)).id
    const admin = await signedInMember(t, orgId, 'admin')
    const school = { 'x-forwarded-for': '203.0.113.20' }
    const guesser = t.client({ headers: school })
    for (const email of ['a@example.org', 'b@example.org', 'c@example.org']) {
      await guesser.post('/api/auth/login', { email, password: 'wrong-password' })
    }
    const limited = await guesser.post('/api/auth/login', {
      email: 'd@example.org',
      password: 'wrong-password',
    })
    expect(limited.status).toBe(429)

    const invitation = await admin.client.post('/api/invitations', {
      email: 'newcomer@example.org',
      role: 'student',
    })
    const visitor = t.client({ headers: school })
    const token = tokenOf(invitation.body.url)
    const accepted = await visitor.post('/api/invitations/accept', {
      token,
      name: 'New Comer',
      password: STRONG,
    })
    expect(accepted.status).toBe(200)
    expect(accepted.body).toMatchObject({ account_created: true, signed_in: true })
    expect((await visitor.get('/api/auth/me')).body).toMatchObject({
      organisation: { id: orgId },
      role: 'student',
    })
    const retry = await visitor.post('/api/invitations/accept', {
      token,
      name: 'New Comer',
      password: STRONG,
    })
    expect(retry.status).toBe(409)
  })
})

describe.each(testDialects())('API tokens on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  it('shows a new token once and authenticates Bearer requests with it, without an Origin', async () => {
    const instructor = await signedInMember(t, orgId, 'instructor')
    const created = await instructor.client.post('/api/tokens', { name: 'Roster sync', expires_in_days: 30 })
    expect(created.status).toBe(201)
    expect(created.body.token).toMatch(/^sil_[\w-]{40,}$/)
    expect(created.body.prefix).toBe(created.body.token.slice(0, 10))

    const script = t.client({ token: created.body.token, origin: null })
    const me = await script.get('/api/auth/me')
    expect(me.body).toMatchObject({ auth_method: 'token', role: 'instructor', organisation: { id: orgId } })
    expect((await script.get('/api/lms/students')).status).toBe(200)

    const list = await instructor.client.get('/api/tokens')
    expect(list.body.data).toHaveLength(1)
    expect(JSON.stringify(list.body)).not.toContain(created.body.token)
    expect(list.body.data[0].last_used_at).toEqual(expect.any(String))
  })

  it('stores only a hash of the token', async () => {
    const created = await admin.client.post('/api/tokens', { name: 'hashed' })
    const rows = await t.database.db.selectFrom('api_tokens').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(created.body.token)
  })

  it('stops accepting a revoked or expired token', async () => {
    const revoked = (await admin.client.post('/api/tokens', { name: 'to revoke' })).body
    expect((await admin.client.delete(`/api/tokens/${revoked.id}`)).status).toBe(204)
    const res = await t.client({ token: revoked.token }).get('/api/auth/me')
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('invalid_token')

    const expiring = (await admin.client.post('/api/tokens', { name: 'short', expires_in_days: 1 })).body
    t.clock.advance(2 * 86_400_000)
    try {
      expect((await t.client({ token: expiring.token }).get('/api/auth/me')).status).toBe(401)
    } finally {
      t.clock.advance(-2 * 86_400_000)
    }
  })

  it('answers 401 for a malformed or unknown bearer token instead of treating it as anonymous', async () => {
    expect((await t.client({ token: 'sil_nope' }).get('/api/health')).status).toBe(401)
    expect((await t.client().get('/api/auth/me', { authorization: 'Basic abc' })).status).toBe(401)
  })

  it("keeps other members' tokens out of reach, except for admins", async () => {
    const alice = await signedInMember(t, orgId, 'student')
    const bob = await signedInMember(t, orgId, 'student')
    const aliceToken = (await alice.client.post('/api/tokens', { name: 'alice' })).body
    expect((await bob.client.delete(`/api/tokens/${aliceToken.id}`)).status).toBe(404)
    expect((await bob.client.get('/api/tokens?all=true')).status).toBe(403)
    const all = await admin.client.get('/api/tokens?all=true')
    expect(all.body.data.map((x: { id: string }) => x.id)).toContain(aliceToken.id)
    expect((await admin.client.delete(`/api/tokens/${aliceToken.id}`)).status).toBe(204)
    expect((await t.client({ token: aliceToken.token }).get('/api/auth/me')).status).toBe(401)
  })

  it('binds a token to its organisation: it cannot switch to another one', async () => {
    const created = (await admin.client.post('/api/tokens', { name: 'bound' })).body
    const other = await createOrg(t)
    const res = await t.client({ token: created.token }).post('/api/auth/organisation', { org_id: other.id })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('token_bound')
  })
})
