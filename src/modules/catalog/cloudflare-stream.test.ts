import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jwtVerify } from 'jose'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type FakeStreamApi, startFakeStreamApi } from '../../../test/helpers/stream-api.ts'
import { fixedClock } from '../../core/clock.ts'
import {
  createStreamSigner,
  MAX_TOKEN_TTL_SECONDS,
  type StreamApi,
  StreamError,
  uploadToStream,
} from './cloudflare-stream.ts'

const KEY_ID = '8f926b2b01f383510025a78a4dcbf6a'
const VIDEO_UID = 'ea95132c15732412d22c1476fa83f27a'
const NOW = '2026-11-23T09:00:00Z'
const nowSeconds = Date.parse(NOW) / 1000

describe('createStreamSigner', () => {
  let publicKey: KeyObject
  /** As Cloudflare's "create signing key" answers it: base64 of a PKCS#1 PEM. */
  let cloudflarePem: string
  let pkcs8Pem: string

  beforeAll(() => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
    publicKey = pair.publicKey
    cloudflarePem = Buffer.from(pair.privateKey.export({ type: 'pkcs1', format: 'pem' })).toString('base64')
    pkcs8Pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  })

  /** Checks the signature with the public key at the given time, and returns header and payload. */
  async function verified(token: string, at: Date) {
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
      algorithms: ['RS256'],
      currentDate: at,
    })
    return { payload, protectedHeader }
  }

  it('signs an RS256 token for the video, naming the key in the header and the payload', async () => {
    const signer = createStreamSigner({ keyId: KEY_ID, pem: cloudflarePem }, fixedClock(NOW))
    const token = await signer.playbackToken(VIDEO_UID)
    const { payload, protectedHeader } = await verified(token, new Date(NOW))
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: KEY_ID })
    expect(payload).toEqual({ sub: VIDEO_UID, kid: KEY_ID, nbf: nowSeconds - 60, exp: nowSeconds + 3600 })
  })

  it('accepts the key as Cloudflare returns it (base64 of the PEM) or as raw PEM, PKCS#1 or PKCS#8', async () => {
    const pkcs1Raw = Buffer.from(cloudflarePem, 'base64').toString('utf8')
    expect(pkcs1Raw).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/)
    for (const pem of [cloudflarePem, pkcs1Raw, pkcs8Pem, Buffer.from(pkcs8Pem).toString('base64')]) {
      const token = await createStreamSigner({ keyId: KEY_ID, pem }, fixedClock(NOW)).playbackToken(VIDEO_UID)
      expect((await verified(token, new Date(NOW))).payload.sub).toBe(VIDEO_UID)
    }
  })

  it('takes its times from the injected clock, and expires after the asked lifetime', async () => {
    const clock = fixedClock(NOW)
    const signer = createStreamSigner({ keyId: KEY_ID, pem: cloudflarePem }, clock)
    clock.advance(90 * 60_000)
    const token = await signer.playbackToken(VIDEO_UID, 600)
    const later = nowSeconds + 90 * 60
    expect((await verified(token, clock.now())).payload).toMatchObject({ nbf: later - 60, exp: later + 600 })
    await expect(verified(token, new Date((later + 601) * 1000))).rejects.toThrow(/exp/)
  })

  it('signs tokens valid for up to 24 hours and refuses longer ones', async () => {
    const signer = createStreamSigner({ keyId: KEY_ID, pem: pkcs8Pem }, fixedClock(NOW))
    const longest = await signer.playbackToken(VIDEO_UID, MAX_TOKEN_TTL_SECONDS)
    const { payload } = await verified(longest, new Date(NOW))
    expect(payload.exp! - nowSeconds).toBe(24 * 60 * 60)
    await expect(signer.playbackToken(VIDEO_UID, MAX_TOKEN_TTL_SECONDS + 1)).rejects.toThrow(
      /at most 86400 seconds \(24 hours\)/,
    )
    await expect(signer.playbackToken(VIDEO_UID, 0)).rejects.toBeInstanceOf(StreamError)
    await expect(signer.playbackToken(VIDEO_UID, 1.5)).rejects.toBeInstanceOf(StreamError)
  })

  it('refuses at creation a key that is not an RSA private key, or an empty key id', () => {
    const signer = (keyId: string, pem: string) => () => createStreamSigner({ keyId, pem }, fixedClock(NOW))
    expect(signer(KEY_ID, 'not a key')).toThrow(/neither a PEM private key nor the base64 of one/)
    expect(signer(KEY_ID, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----')).toThrow(
      /cannot be read/,
    )
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    expect(signer(KEY_ID, ec.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(
      /must be an RSA key/,
    )
    expect(signer(' ', pkcs8Pem)).toThrow(/key id is empty/)
  })
})

describe('uploadToStream', () => {
  let stream: FakeStreamApi
  let scratch: string
  let video: string
  const bytes = Buffer.from(`not really an mp4 but bytes all the same ${'x'.repeat(4096)}`)
  const settings = (): StreamApi => ({
    accountId: stream.accountId,
    apiToken: stream.apiToken,
    baseUrl: stream.baseUrl,
  })

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'sillon-stream-'))
    video = join(scratch, 'lesson-1.mp4')
    writeFileSync(video, bytes)
  })
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))
  beforeEach(async () => {
    stream = await startFakeStreamApi()
  })
  afterEach(async () => {
    await stream.close()
  })

  it('creates a direct upload, posts the file to the upload URL and reads the video back', async () => {
    const lines: string[] = []
    const uploaded = await uploadToStream(settings(), { file: video, name: 'Lesson 1' }, (l) => lines.push(l))

    expect(uploaded).toEqual({
      uid: expect.stringMatching(/^[0-9a-f]{32}$/),
      readyToStream: false,
      durationSec: null,
      state: 'queued',
      requireSignedUrls: false,
    })
    const received = stream.videos.get(uploaded.uid)!
    expect(received.request).toEqual({ maxDurationSeconds: 21600, meta: { name: 'Lesson 1' } })
    expect(received.file?.name).toBe('lesson-1.mp4')
    expect(received.file?.bytes.equals(bytes)).toBe(true)
    expect(received.uploadAuthorization).toBeUndefined()
    expect(lines).toEqual([
      'asking Cloudflare Stream for a one-time upload URL',
      `uploading lesson-1.mp4 (5 KB) as video ${uploaded.uid}`,
    ])
  })

  it('reports the duration and readiness once Cloudflare knows them, and asks for signed URLs when told', async () => {
    stream.processing = { readyToStream: true, duration: 42.5, state: 'ready' }
    const uploaded = await uploadToStream(settings(), {
      file: video,
      name: 'Lesson 1',
      maxDurationSeconds: 600,
      requireSignedUrls: true,
    })
    expect(uploaded).toMatchObject({
      readyToStream: true,
      durationSec: 42.5,
      state: 'ready',
      requireSignedUrls: true,
    })
    expect(stream.videos.get(uploaded.uid)!.request).toEqual({
      maxDurationSeconds: 600,
      meta: { name: 'Lesson 1' },
      requireSignedURLs: true,
    })
  })

  it("surfaces Cloudflare's error message and status when the token is refused", async () => {
    const wrongToken = { ...settings(), apiToken: 'not-the-token' }
    await expect(uploadToStream(wrongToken, { file: video, name: 'Lesson 1' })).rejects.toThrow(
      new StreamError('creating the upload URL: Cloudflare answered 401: Authentication error (code 10000)'),
    )
    expect(stream.videos.size).toBe(0)
  })

  it('surfaces a refusal of the request itself, and a failure to process the video', async () => {
    await expect(
      uploadToStream(settings(), { file: video, name: 'Lesson 1', maxDurationSeconds: 50_000 }),
    ).rejects.toThrow(/^creating the upload URL: Cloudflare answered 400: maxDurationSeconds must be between/)
    stream.processing = { readyToStream: false, duration: -1, state: 'error', errorReasonText: 'not a video' }
    await expect(uploadToStream(settings(), { file: video, name: 'Lesson 1' })).rejects.toThrow(
      /^Cloudflare could not process video [0-9a-f]{32}: not a video$/,
    )
  })

  it('refuses a missing or empty file before calling Cloudflare', async () => {
    const missing = join(scratch, 'missing.mp4')
    await expect(uploadToStream(settings(), { file: missing, name: 'x' })).rejects.toThrow(
      new StreamError(`no such file: ${missing}`),
    )
    await expect(uploadToStream(settings(), { file: scratch, name: 'x' })).rejects.toThrow(/^not a file: /)
    const empty = join(scratch, 'empty.mp4')
    writeFileSync(empty, '')
    await expect(uploadToStream(settings(), { file: empty, name: 'x' })).rejects.toThrow(
      /^the file is empty: /,
    )
    expect(stream.videos.size).toBe(0)
  })

  it('says so when the API cannot be reached', async () => {
    await stream.close()
    const unreachable = settings()
    stream = await startFakeStreamApi()
    await expect(uploadToStream(unreachable, { file: video, name: 'x' })).rejects.toThrow(
      /^creating the upload URL: Cloudflare Stream could not be reached at http:\/\/127\.0\.0\.1:\d+ \(.+\)$/,
    )
  })
})
