import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../test/helpers/app.ts'
import { createOrg, signedInMember } from '../test/helpers/factories.ts'
import { OPENAPI_PATH } from './core/http/openapi.ts'

// Every route that takes only an upload (a multipart form), read from the OpenAPI document so that a new one is
// covered too, refuses a JSON body in the shared error shape and names the type it takes.

type OpenApiDocument = {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>
}

describe('a JSON body sent to an upload route', () => {
  let t: TestApp
  let owner: Awaited<ReturnType<typeof signedInMember>>
  let uploads: { method: string; path: string }[]

  beforeAll(async () => {
    t = await startTestApp('sqlite')
    owner = await signedInMember(t, (await createOrg(t)).id, 'owner')
    const doc = (await t.client().get(OPENAPI_PATH)).body as OpenApiDocument
    uploads = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        // A route that also takes JSON (a course file: an upload, or a link as JSON) is not an upload only.
        .filter(([, op]) => {
          const types = Object.keys(op.requestBody?.content ?? {})
          return types.includes('multipart/form-data') && !types.includes('application/json')
        })
        .map(([method, _]) => ({ method: method.toUpperCase(), path })),
    )
  })
  afterAll(() => t.close())

  it('is refused with 415 unsupported_media_type, saying which type the route takes', async () => {
    expect(uploads.map((u) => u.path)).toContain('/api/auth/me/picture')
    for (const { method, path } of uploads) {
      const url = path.replace(/\{[^}]+\}/g, crypto.randomUUID())
      const res = await owner.client.request(method, url, { file: 'not a file' })
      expect([res.status, res.body], `${method} ${path}`).toEqual([
        415,
        {
          error: {
            code: 'unsupported_media_type',
            message: expect.stringContaining('multipart/form-data'),
            details: { accepted: ['multipart/form-data'], received: 'application/json' },
          },
        },
      ])
    }
  })

  it('is refused in the same shape when it names no type at all', async () => {
    const cookie = [...owner.client.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    // Bytes, unlike a string, go without a Content-Type.
    const res = await fetch(new URL('/api/auth/me/picture', t.url), {
      method: 'POST',
      headers: { cookie, origin: new URL(t.url).origin },
      body: new TextEncoder().encode('plain bytes'),
    })
    expect(res.status).toBe(415)
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({
      code: 'unsupported_media_type',
      details: { received: null },
    })
  })
})
