import { randomBytes, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createMember, createOrg } from '../../../test/helpers/factories.ts'
import { teamOrigin } from './cf-access.ts'

const ASSERTION_HEADER = 'cf-access-jwt-assertion'

type SigningKey = { kid: string; privateKey: CryptoKey; publicJwk: JWK }

async function newSigningKey(): Promise<SigningKey> {
  const kid = randomBytes(32).toString('hex')
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } }
}

type AccessClaims = { iss: string; aud: string | string[]; at: Date; email?: string; exp?: number }

const seconds = (at: Date) => Math.floor(at.getTime() / 1000)

/** A token shaped like Cloudflare Access's, issued at the app's clock time; `kid` may name another key than the one that signs. */
async function signAssertion(key: SigningKey, claims: AccessClaims, kid = key.kid): Promise<string> {
  const payload = claims.email === undefined ? { type: 'app' } : { type: 'app', email: claims.email }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setSubject(randomUUID())
    .setIssuedAt(seconds(claims.at))
    .setNotBefore(seconds(claims.at))
    .setExpirationTime(claims.exp ?? seconds(claims.at) + 300)
    .sign(key.privateKey)
}

type JwksServer = {
  origin: string
  /** How many times the key set was downloaded. */
  readonly fetches: number
  publish(...keys: SigningKey[]): void
  close(): Promise<void>
}

/** Serves `/cdn-cgi/access/certs` on loopback, like a Cloudflare Access team domain. */
async function startJwksServer(): Promise<JwksServer> {
  let published: JWK[] = []
  let fetches = 0
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/cdn-cgi/access/certs') {
      res.writeHead(404).end()
      return
    }
    fetches++
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    get fetches() {
      return fetches
    },
    publish: (...keys) => {
      published = keys.map((key) => key.publicJwk)
    },
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}

/** An application's AUD tag, 64 hex characters like Cloudflare's. */
const newAudience = () => randomBytes(32).toString('hex')

const cfAccessEnv = (jwks: JwksServer, audience: string) => ({
  CF_ACCESS_TEAM_DOMAIN: jwks.origin,
  CF_ACCESS_AUD: audience,
})

describe('teamOrigin', () => {
  it('assumes https for a bare team domain and keeps an explicit scheme and port', () => {
    expect(teamOrigin('myteam.cloudflareaccess.com')).toBe('https://myteam.cloudflareaccess.com')
    expect(teamOrigin('https://myteam.cloudflareaccess.com/')).toBe('https://myteam.cloudflareaccess.com')
    expect(teamOrigin('http://127.0.0.1:8443')).toBe('http://127.0.0.1:8443')
  })
})

describe.each(testDialects())('Cloudflare Access on %s', (dialect) => {
  const audience = newAudience()
  let jwks: JwksServer
  let key: SigningKey
  let t: TestApp
  let orgId: string

  const assertion = (claims: Partial<AccessClaims>, signingKey = key, kid = signingKey.kid) =>
    signAssertion(signingKey, { iss: jwks.origin, aud: audience, at: t.clock.now(), ...claims }, kid)
  const me = async (token: string) =>
    t.client({ origin: null }).get('/api/auth/me', { [ASSERTION_HEADER]: token })

  beforeAll(async () => {
    jwks = await startJwksServer()
    key = await newSigningKey()
    jwks.publish(key)
    t = await startTestApp(dialect, { env: cfAccessEnv(jwks, audience) })
    orgId = (await createOrg(t)).id
  })
  afterAll(async () => {
    await t.close()
    await jwks.close()
  })

  it('authenticates the member whose e-mail the assertion carries, in their organisation', async () => {
    const student = await createMember(t, orgId, 'student')
    const res = await me(await assertion({ email: student.email }))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      user: { id: student.userId, email: student.email },
      organisation: { id: orgId },
      role: 'student',
      auth_method: 'cf-access',
    })
  })

  it('maps the e-mail claim to the account whatever its letter case', async () => {
    const instructor = await createMember(t, orgId, 'instructor')
    const res = await me(await assertion({ email: instructor.email.toUpperCase() }))
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ id: instructor.userId, email: instructor.email })
    expect(res.body.auth_method).toBe('cf-access')
  })

  it('accepts an audience list that contains the application AUD tag', async () => {
    // Cloudflare itself sends `aud` as a one-element array.
    const student = await createMember(t, orgId, 'student')
    const res = await me(await assertion({ email: student.email, aud: [newAudience(), audience] }))
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(student.userId)
  })

  it('makes the organisation the member last switched to the active one', async () => {
    const otherOrgId = (await createOrg(t)).id
    const member = await createMember(t, orgId, 'instructor')
    await createMember(t, otherOrgId, 'student', member.email)
    const client = t.client({ headers: { [ASSERTION_HEADER]: await assertion({ email: member.email }) } })
    const switched = await client.post('/api/auth/organisation', { org_id: otherOrgId })
    expect(switched.status).toBe(200)
    const res = await client.get('/api/auth/me')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      organisation: { id: otherOrgId },
      role: 'student',
      auth_method: 'cf-access',
    })
  })

  it('refuses an expired assertion', async () => {
    const student = await createMember(t, orgId, 'student')
    const res = await me(await assertion({ email: student.email, exp: seconds(t.clock.now()) - 60 }))
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('invalid_access_token')
    expect(res.body.error.message).toMatch(/ERR_JWT_EXPIRED/)
  })

  it("judges expiry by the app's clock", async () => {
    const student = await createMember(t, orgId, 'student')
    const token = await assertion({ email: student.email })
    expect((await me(token)).status).toBe(200)
    t.clock.advance(10 * 60_000)
    try {
      const res = await me(token)
      expect(res.status).toBe(401)
      expect(res.body.error.message).toMatch(/ERR_JWT_EXPIRED/)
    } finally {
      t.clock.advance(-10 * 60_000)
    }
  })

  it('refuses an assertion issued for another application', async () => {
    const student = await createMember(t, orgId, 'student')
    const res = await me(await assertion({ email: student.email, aud: newAudience() }))
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('invalid_access_token')
    expect(res.body.error.message).toMatch(/ERR_JWT_CLAIM_VALIDATION_FAILED/)
  })

  it('refuses an assertion issued by another team', async () => {
    const student = await createMember(t, orgId, 'student')
    const res = await me(await assertion({ email: student.email, iss: 'https://other.cloudflareaccess.com' }))
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('invalid_access_token')
    expect(res.body.error.message).toMatch(/ERR_JWT_CLAIM_VALIDATION_FAILED/)
  })

  it('refuses an assertion signed by another key that claims the published kid', async () => {
    const student = await createMember(t, orgId, 'student')
    const forger = await newSigningKey()
    const res = await me(await assertion({ email: student.email }, forger, key.kid))
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('invalid_access_token')
    expect(res.body.error.message).toMatch(/ERR_JWS_SIGNATURE_VERIFICATION_FAILED/)
  })

  it('refuses an assertion without an e-mail, such as a service token', async () => {
    const res = await me(await assertion({}))
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('invalid_access_token')
  })

  it('refuses a valid assertion for an e-mail that has no account', async () => {
    const res = await me(await assertion({ email: `nobody-${randomUUID()}@example.org` }))
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('unknown_account')
  })

  it('refuses unsafe requests sent from another site, and accepts them from its own origin', async () => {
    const admin = await createMember(t, orgId, 'admin')
    const client = t.client({ headers: { [ASSERTION_HEADER]: await assertion({ email: admin.email }) } })
    const body = { name: 'Renamed by an attacker' }
    const foreign = await client.patch('/api/organisation', body, { origin: 'https://evil.example' })
    expect(foreign.status).toBe(403)
    expect(foreign.body.error.code).toBe('csrf_rejected')
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

describe.each(testDialects())('Cloudflare Access key rotation on %s', (dialect) => {
  const audience = newAudience()
  let jwks: JwksServer
  let t: TestApp
  let orgId: string
  let email: string

  const me = async (key: SigningKey) => {
    const token = await signAssertion(key, { iss: jwks.origin, aud: audience, at: t.clock.now(), email })
    return t.client({ origin: null }).get('/api/auth/me', { [ASSERTION_HEADER]: token })
  }

  // A fresh key cache per test; only Date is faked, so jose's cache and cooldown (which read Date.now)
  // move with the test while sockets and timers stay real.
  beforeEach(async () => {
    jwks = await startJwksServer()
    t = await startTestApp(dialect, { env: cfAccessEnv(jwks, audience) })
    orgId = (await createOrg(t)).id
    email = (await createMember(t, orgId, 'student')).email
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
  })
  afterEach(async () => {
    vi.useRealTimers()
    await t.close()
    await jwks.close()
  })

  it('refetches the keys for an unknown kid once the 30-second cooldown has passed, and accepts the new key', async () => {
    const start = Date.now()
    const [previous, next] = [await newSigningKey(), await newSigningKey()]
    jwks.publish(previous)
    expect((await me(previous)).status).toBe(200)
    expect(jwks.fetches).toBe(1)

    // Cloudflare publishes the new key next to the previous one.
    jwks.publish(previous, next)
    vi.setSystemTime(start + 29_000)
    const tooSoon = await me(next)
    expect(tooSoon.status).toBe(401)
    expect(tooSoon.body.error.message).toMatch(/ERR_JWKS_NO_MATCHING_KEY/)
    expect(jwks.fetches).toBe(1)

    vi.setSystemTime(start + 31_000)
    const rotated = await me(next)
    expect(rotated.status).toBe(200)
    expect(rotated.body.auth_method).toBe('cf-access')
    expect(jwks.fetches).toBe(2)
    expect((await me(previous)).status).toBe(200)
    expect(jwks.fetches).toBe(2)
  })

  it('stops accepting a withdrawn key once the cached key set is older than 10 minutes', async () => {
    const start = Date.now()
    const [withdrawn, current] = [await newSigningKey(), await newSigningKey()]
    jwks.publish(withdrawn, current)
    expect((await me(withdrawn)).status).toBe(200)

    jwks.publish(current)
    vi.setSystemTime(start + 9 * 60_000)
    expect((await me(withdrawn)).status).toBe(200)
    expect(jwks.fetches).toBe(1)

    vi.setSystemTime(start + 10 * 60_000 + 1_000)
    const refused = await me(withdrawn)
    expect(refused.status).toBe(401)
    expect(refused.body.error.message).toMatch(/ERR_JWKS_NO_MATCHING_KEY/)
    expect(jwks.fetches).toBe(2)
    expect((await me(current)).status).toBe(200)
  })
})

describe.each(testDialects())('without Cloudflare Access configured on %s', (dialect) => {
  const audience = newAudience()
  let jwks: JwksServer
  let key: SigningKey
  let t: TestApp
  let orgId: string

  beforeAll(async () => {
    jwks = await startJwksServer()
    key = await newSigningKey()
    jwks.publish(key)
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
  })
  afterAll(async () => {
    await t.close()
    await jwks.close()
  })

  it('ignores the assertion header: the request stays anonymous', async () => {
    const student = await createMember(t, orgId, 'student')
    const token = await signAssertion(key, {
      iss: jwks.origin,
      aud: audience,
      at: t.clock.now(),
      email: student.email,
    })
    const res = await t.client({ origin: null }).get('/api/auth/me', { [ASSERTION_HEADER]: token })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('unauthorized')
    expect(jwks.fetches).toBe(0)
  })
})

describe('Cloudflare Access keys out of reach', () => {
  const audience = newAudience()
  let t: TestApp
  let orgId: string
  let key: SigningKey
  let failing: { origin: string; close(): Promise<void> }

  beforeAll(async () => {
    const server = createServer((_req, res) => res.writeHead(502).end('bad gateway'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    failing = {
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    }
    key = await newSigningKey()
    t = await startTestApp('sqlite', {
      env: { CF_ACCESS_TEAM_DOMAIN: failing.origin, CF_ACCESS_AUD: audience },
    })
    orgId = (await createOrg(t)).id
  })
  afterAll(async () => {
    await t.close()
    await failing.close()
  })

  it('answers 503, not "invalid token", when the key endpoint fails or cannot be reached', async () => {
    const { email } = await createMember(t, orgId, 'student')
    const token = await signAssertion(key, { iss: failing.origin, aud: audience, at: t.clock.now(), email })
    const res = await t.client({ origin: null }).get('/api/auth/me', { [ASSERTION_HEADER]: token })
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('access_keys_unavailable')
    await failing.close()
    const unreachable = await t.client({ origin: null }).get('/api/auth/me', { [ASSERTION_HEADER]: token })
    expect(unreachable.status).toBe(503)
  })
})
