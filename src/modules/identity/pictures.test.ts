import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestClient } from '../../../test/helpers/app.ts'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'

// People's pictures: an image file on the account, judged by its first bytes, served to those who share a
// school with the person, replaced and removed by that person only.

const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0,
])
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1])
const WEBP = Uint8Array.from([
  0x52, 0x49, 0x46, 0x46, 24, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20, 12, 0, 0, 0,
])

function picture(bytes: Uint8Array<ArrayBuffer>, type: string, name = 'me.png') {
  const form = new FormData()
  form.set('file', new Blob([bytes], { type }), name)
  return form
}

/** The raw bytes and headers of a GET, with the client's session cookie. */
async function download(t: TestApp, client: TestClient, path: string) {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  const res = await fetch(new URL(path, t.url), { headers: { cookie } })
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) }
}

const keyOf = (image: string) => `pictures/${image.split('/').pop()}`

describe.each(testDialects())('pictures on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let otherOrgId: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    otherOrgId = (await createOrg(t)).id
  })
  afterAll(() => t.close())

  it('stores a PNG, JPEG or WebP picture and serves it by its own type, with no-sniff, to people of a shared school only', async () => {
    const student = await signedInMember(t, orgId, 'student')
    const classmate = await signedInMember(t, orgId, 'student')
    const admin = await signedInMember(t, orgId, 'admin')
    const stranger = await signedInMember(t, otherOrgId, 'student')

    for (const [bytes, type] of [
      [PNG, 'image/png'],
      [JPEG, 'image/jpeg'],
      // The type the browser claims does not count: the first bytes say WebP.
      [WEBP, 'image/webp'],
    ] as const) {
      const set = await student.client.post('/api/auth/me/picture', picture(bytes, 'image/png'))
      expect(set.status, JSON.stringify(set.body)).toBe(200)
      const image: string = set.body.user.image
      expect(image).toMatch(new RegExp(`^/api/users/${student.userId}/picture/[A-Za-z0-9-]+$`))
      expect((await student.client.get('/api/auth/me')).body.user.image).toBe(image)

      for (const viewer of [student, classmate, admin]) {
        const file = await download(t, viewer.client, image)
        expect(file.status).toBe(200)
        expect(file.headers.get('content-type')).toBe(type)
        expect(file.headers.get('x-content-type-options')).toBe('nosniff')
        expect(file.bytes).toEqual(bytes)
      }
      expect((await download(t, stranger.client, image)).status).toBe(404)
      expect((await download(t, t.client(), image)).status).toBe(401)
    }

    const members = await admin.client.get(`/api/members?query=${encodeURIComponent(student.email)}`)
    expect(members.body.data[0].image).toBe((await student.client.get('/api/auth/me')).body.user.image)
  })

  it('refuses a file whose first bytes are not PNG, JPEG or WebP, whatever type it claims, and keeps the picture', async () => {
    const member = await signedInMember(t, orgId, 'instructor')
    const image = (await member.client.post('/api/auth/me/picture', picture(PNG, 'image/png'))).body.user
      .image
    for (const [text, type] of <[string, string][]>[
      ['<html><script>alert(1)</script></html>', 'image/png'],
      ['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image/svg+xml'],
      ['GIF89a', 'image/gif'],
    ]) {
      const res = await member.client.post(
        '/api/auth/me/picture',
        picture(new TextEncoder().encode(text), type, 'me.png'),
      )
      expect(res.status).toBe(415)
      expect(res.body.error.code).toBe('unsupported_file_type')
    }
    const empty = await member.client.post('/api/auth/me/picture', picture(new Uint8Array(), 'image/png'))
    expect(empty.body.error.code).toBe('empty_file')
    expect((await member.client.request('POST', '/api/auth/me/picture')).body.error.code).toBe(
      'body_required',
    )
    expect((await member.client.get('/api/auth/me')).body.user.image).toBe(image)
  })

  it('refuses a picture over 2 MB with 413 and keeps the previous one', async () => {
    const member = await signedInMember(t, orgId, 'student')
    const image = (await member.client.post('/api/auth/me/picture', picture(JPEG, 'image/jpeg'))).body.user
      .image
    const large = new Uint8Array(2_000_001)
    large.set(PNG)
    const res = await member.client.post('/api/auth/me/picture', picture(large, 'image/png'))
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('file_too_large')
    expect((await member.client.get('/api/auth/me')).body.user.image).toBe(image)
    expect((await download(t, member.client, image)).bytes).toEqual(JPEG)
  })

  it("changes only the caller's own picture: another member cannot replace or remove it", async () => {
    const owner = await signedInMember(t, orgId, 'student')
    const admin = await signedInMember(t, orgId, 'owner')
    const image = (await owner.client.post('/api/auth/me/picture', picture(PNG, 'image/png'))).body.user.image

    expect((await admin.client.post('/api/auth/me/picture', picture(JPEG, 'image/jpeg'))).status).toBe(200)
    expect((await admin.client.delete('/api/auth/me/picture')).status).toBe(200)
    const removeTheirs = await admin.client.delete(image)
    expect(removeTheirs.status).toBe(404)
    const replaceTheirs = await admin.client.post(image, picture(JPEG, 'image/jpeg'))
    expect(replaceTheirs.status).toBe(404)

    expect((await owner.client.get('/api/auth/me')).body.user.image).toBe(image)
    const file = await download(t, admin.client, image)
    expect(file.status).toBe(200)
    expect(file.bytes).toEqual(PNG)
  })

  it('deletes the file when the picture is removed or replaced, and its old address answers 404', async () => {
    const member = await signedInMember(t, orgId, 'student')
    const first = (await member.client.post('/api/auth/me/picture', picture(PNG, 'image/png'))).body.user
      .image
    expect(await t.identity.files.get(keyOf(first))).toEqual(PNG)

    const second = (await member.client.post('/api/auth/me/picture', picture(WEBP, 'image/webp'))).body.user
      .image
    expect(second).not.toBe(first)
    expect(await t.identity.files.get(keyOf(first))).toBeNull()
    expect((await download(t, member.client, first)).status).toBe(404)

    const removed = await member.client.delete('/api/auth/me/picture')
    expect(removed.status).toBe(200)
    expect(removed.body.user.image).toBeNull()
    expect(await t.identity.files.get(keyOf(second))).toBeNull()
    expect((await download(t, member.client, second)).status).toBe(404)
    // Removing again changes nothing.
    expect((await member.client.delete('/api/auth/me/picture')).body.user.image).toBeNull()
  })
})
