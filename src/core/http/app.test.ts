import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'

// The HTTP shell is the same whatever the database, so it is tested once, on SQLite.
describe('the HTTP shell', () => {
  let t: TestApp

  beforeAll(async () => {
    t = await startTestApp('sqlite', {
      env: { BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'https://partner.example' },
    })
    t.app.get('/api/test/explode', () => {
      throw new Error('database password is hunter2')
    })
  })
  afterAll(() => t.close())

  it('answers unknown routes with the shared error shape', async () => {
    const res = await t.client().get('/api/nothing-here')
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'No route for GET /api/nothing-here' } })
  })

  it('answers malformed JSON with 400', async () => {
    const res = await t.client().post('/api/auth/login', '{"email": ', { 'content-type': 'application/json' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('bad_request')
  })

  it('refuses bodies over the configured limit with 413', async () => {
    const res = await t.client().post('/api/auth/login', { email: 'a@b.org', password: 'x'.repeat(4096) })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
    // The unread rest of the body stays on the socket: a client reusing it would see its next request fail.
    expect(res.headers.get('connection')).toBe('close')
  })

  it('logs an unexpected error and answers 500 with the request id but no internals', async () => {
    const res = await t.client().get('/api/test/explode', { 'x-request-id': 'trace-me-42' })
    expect(res.status).toBe(500)
    expect(res.body).toEqual({
      error: {
        code: 'internal_error',
        message: 'Something went wrong on our side',
        details: { request_id: 'trace-me-42' },
      },
    })
    expect(JSON.stringify(res.body)).not.toContain('hunter2')
    expect((await t.client().get('/api/health')).status).toBe(200)
  })

  it('gives every response a request id, keeping a well-formed one sent by the caller', async () => {
    const generated = await t.client().get('/api/health')
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const kept = await t.client().get('/api/health', { 'x-request-id': 'abc-123' })
    expect(kept.headers.get('x-request-id')).toBe('abc-123')
  })

  it('sends security headers', async () => {
    const res = await t.client().get('/api/health')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('allows cross-origin calls from configured origins only', async () => {
    const allowed = await t.client().request('OPTIONS', '/api/auth/me', undefined, {
      origin: 'https://partner.example',
      'access-control-request-method': 'GET',
    })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://partner.example')
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
    const other = await t.client().request('OPTIONS', '/api/auth/me', undefined, {
      origin: 'https://evil.example',
      'access-control-request-method': 'GET',
    })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('publishes an OpenAPI 3.1 document in which every operation states who may call it', async () => {
    const res = await t.client().get('/api/openapi.json')
    expect(res.status).toBe(200)
    expect(res.body.openapi).toBe('3.1.0')
    const operations = Object.entries(
      res.body.paths as Record<string, Record<string, { 'x-sillon-access'?: string }>>,
    ).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method, access: op['x-sillon-access'] })),
    )
    expect(operations.length).toBeGreaterThan(20)
    expect(operations.filter((o) => !o.access)).toEqual([])
    expect(res.body.paths['/api/health'].get['x-sillon-access']).toBe('public')
    expect(res.body.paths['/api/members'].post['x-sillon-access']).toBe('owner, admin')
    expect(res.body.components.securitySchemes).toHaveProperty('bearer')
  })

  it('serves a readable API reference page', async () => {
    const res = await t.client().get('/api/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(res.body).toContain('swagger-ui')
  })

  it('reports health, and 503 once the database is gone', async () => {
    const ok = await t.client().get('/api/health')
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ status: 'ok', version: expect.any(String), db: 'ok' })
    await t.database.close()
    const down = await t.client().get('/api/health')
    expect(down.status).toBe(503)
    expect(down.body).toMatchObject({ status: 'unavailable', db: 'unreachable' })
  })
})
