import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../../test/helpers/app.ts'
import { testDialects } from '../../../../test/helpers/databases.ts'
import { completeSteps, createOrg, signedInMember } from '../../../../test/helpers/factories.ts'
import { fixedClock } from '../../../core/clock.ts'
import { createStreamSigner } from '../cloudflare-stream.ts'

const privateVideo = {
  name: 'Private lecture',
  step_type: 'video',
  video: {
    source: 'stream',
    uid: 'ea95132c15732412d22c1476fa83f27a',
    duration_sec: 600,
    requires_signed_urls: true,
  },
}

describe.each(testDialects())('video playback for course authors on %s', (dialect) => {
  let t: TestApp
  let author: Awaited<ReturnType<typeof signedInMember>>
  let courseId: string
  let publicKey: CryptoKey

  beforeAll(async () => {
    const keys = await generateKeyPair('RS256', { extractable: true })
    publicKey = keys.publicKey
    const pem = await exportPKCS8(keys.privateKey)
    const clock = fixedClock('2026-11-22T09:00:00.000Z')
    t = await startTestApp(dialect, {
      deps: { streamSigner: createStreamSigner({ keyId: 'key-1', pem }, clock) },
    })
    author = await signedInMember(t, (await createOrg(t)).id, 'instructor')
    courseId = (await author.client.post('/api/lms/courses', { name: 'Videos' })).body.id
  })
  afterAll(() => t.close())

  it('signs a one-hour token for a private Stream video', async () => {
    const step = (await author.client.post('/api/lms/classes', { course_id: courseId, ...privateVideo })).body
    const res = await author.client.get(`/api/lms/classes/${step.id}/playback`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      source: 'stream',
      uid: 'ea95132c15732412d22c1476fa83f27a',
      duration_sec: 600,
      token_expires_at: '2026-11-22T10:00:00.000Z',
    })
    const { payload, protectedHeader } = await jwtVerify(res.body.token, publicKey, {
      currentDate: new Date('2026-11-22T09:30:00.000Z'),
    })
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: 'key-1' })
    expect(payload).toMatchObject({ sub: 'ea95132c15732412d22c1476fa83f27a', kid: 'key-1' })
    expect(payload.exp).toBe(Date.parse('2026-11-22T10:00:00.000Z') / 1000)
  })

  it('plays public videos without a token', async () => {
    const url = (
      await author.client.post('/api/lms/classes', { course_id: courseId, ...completeSteps.video })
    ).body
    expect((await author.client.get(`/api/lms/classes/${url.id}/playback`)).body).toEqual({
      source: 'url',
      url: 'https://v.example/a.mp4',
      duration_sec: 120,
    })
    const stream = (
      await author.client.post('/api/lms/classes', { course_id: courseId, ...completeSteps.video_quiz })
    ).body
    expect((await author.client.get(`/api/lms/classes/${stream.id}/playback`)).body).toMatchObject({
      token: null,
      token_expires_at: null,
    })
    const reading = (
      await author.client.post('/api/lms/classes', { course_id: courseId, ...completeSteps.reading })
    ).body
    expect((await author.client.get(`/api/lms/classes/${reading.id}/playback`)).status).toBe(404)
  })
})

describe('private Stream videos without a signing key', () => {
  let t: TestApp

  beforeAll(async () => {
    t = await startTestApp('sqlite')
  })
  afterAll(() => t.close())

  it('answers 503 and names the settings to configure', async () => {
    const author = await signedInMember(t, (await createOrg(t)).id, 'admin')
    const courseId = (await author.client.post('/api/lms/courses', { name: 'Videos' })).body.id
    const step = (await author.client.post('/api/lms/classes', { course_id: courseId, ...privateVideo })).body
    const res = await author.client.get(`/api/lms/classes/${step.id}/playback`)
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('stream_signing_not_configured')
    expect(res.body.error.message).toContain('CLOUDFLARE_STREAM_SIGNING_KEY_ID')
  })
})
