import { createPrivateKey } from 'node:crypto'
import { openAsBlob } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { importPKCS8, SignJWT } from 'jose'
import type { Clock } from '../../core/clock.ts'

// Cloudflare Stream: signed playback tokens for videos that require signed URLs, and uploads through the
// direct-upload API (https://developers.cloudflare.com/stream/).

/** A Stream call failed, or its input cannot be sent; the message is meant for the person who asked. */
export class StreamError extends Error {
  override name = 'StreamError'
}

// ---------------------------------------------------------------------------------------------
// Signed playback tokens

export type StreamSigningKey = {
  /** The signing key's `id`, as Cloudflare returned it. */
  keyId: string
  /** The private key: Cloudflare's `pem` field (base64 of the PEM text), or the PEM text itself. */
  pem: string
}

export type StreamSigner = {
  /** A token that plays the video `uid` for `ttlSeconds` (default 1 hour, at most 24 hours). */
  playbackToken(uid: string, ttlSeconds?: number): Promise<string>
}

const DEFAULT_TOKEN_TTL_SECONDS = 60 * 60
/** Cloudflare refuses tokens that expire more than 24 hours after they are issued. */
export const MAX_TOKEN_TTL_SECONDS = 24 * 60 * 60
/** `nbf` is set this far back, so that a viewer's edge whose clock runs a little behind accepts the token. */
const NOT_BEFORE_LEEWAY_SECONDS = 60

/** The PEM text of a signing key given either as PEM or as base64 of the PEM (Cloudflare's `pem` field). */
function pemText(value: string): string {
  const trimmed = value.trim()
  if (trimmed.startsWith('-----BEGIN')) return trimmed
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8').trim()
  if (decoded.startsWith('-----BEGIN')) return decoded
  throw new StreamError('the Stream signing key is neither a PEM private key nor the base64 of one')
}

/**
 * The key as PKCS#8 PEM, which is what jose imports. Cloudflare hands out PKCS#1 keys
 * (`-----BEGIN RSA PRIVATE KEY-----`), which importPKCS8 refuses, so Node's crypto re-encodes them.
 */
function pkcs8Pem(value: string): string {
  let key: ReturnType<typeof createPrivateKey>
  try {
    key = createPrivateKey(pemText(value))
  } catch (err) {
    if (err instanceof StreamError) throw err
    throw new StreamError(`the Stream signing key cannot be read: ${(err as Error).message}`)
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new StreamError(`the Stream signing key must be an RSA key (got ${key.asymmetricKeyType})`)
  }
  return key.export({ type: 'pkcs8', format: 'pem' }).toString()
}

/**
 * Signs playback tokens for Stream videos that require signed URLs: RS256 JWTs whose header and payload
 * carry the key id (`kid`), whose subject is the video uid, valid from a minute before the clock's time
 * until `ttlSeconds` after it. Use the token in place of the uid in playback URLs. A key that cannot be
 * read throws a StreamError at once, so a wrong setting shows at start rather than at the first viewer.
 */
export function createStreamSigner(signingKey: StreamSigningKey, clock: Clock): StreamSigner {
  const keyId = signingKey.keyId.trim()
  if (!keyId) throw new StreamError('the Stream signing key id is empty')
  const pkcs8 = pkcs8Pem(signingKey.pem)
  let privateKey: Promise<CryptoKey> | undefined

  return {
    async playbackToken(uid, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS) {
      if (!uid) throw new StreamError('a playback token needs the video uid')
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
        throw new StreamError(`a playback token lasts a whole number of seconds (got ${ttlSeconds})`)
      }
      if (ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
        throw new StreamError(
          `a playback token lasts at most ${MAX_TOKEN_TTL_SECONDS} seconds (24 hours); asked for ${ttlSeconds}`,
        )
      }
      privateKey ??= importPKCS8(pkcs8, 'RS256')
      const now = Math.floor(clock.now().getTime() / 1000)
      return new SignJWT({ kid: keyId })
        .setProtectedHeader({ alg: 'RS256', kid: keyId })
        .setSubject(uid)
        .setNotBefore(now - NOT_BEFORE_LEEWAY_SECONDS)
        .setExpirationTime(now + ttlSeconds)
        .sign(await privateKey)
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Uploads

export type StreamApi = {
  accountId: string
  /** An API token with the Stream Edit permission. */
  apiToken: string
  /** `https://api.cloudflare.com/client/v4` in production. */
  baseUrl: string
}

export type StreamUpload = {
  /** Path of the video file. */
  file: string
  /** Shown in the Stream dashboard (`meta.name`). */
  name: string
  /** Longest video the upload may hold; Cloudflare fails longer ones while processing. Default 6 hours. */
  maxDurationSeconds?: number
  /** Make the video private: it then plays only with a signed token (see createStreamSigner). */
  requireSignedUrls?: boolean
}

export type UploadedVideo = {
  uid: string
  readyToStream: boolean
  /** Seconds, once Cloudflare knows it (after processing); null before. */
  durationSec: number | null
  /** Cloudflare's processing state (`queued`, `inprogress`, `ready`…), when it reports one. */
  state: string | null
  requireSignedUrls: boolean
}

/** Cloudflare's limit for a basic (non-resumable) POST upload; larger files need the tus protocol. */
const MAX_BASIC_UPLOAD_BYTES = 200 * 1024 * 1024
const DEFAULT_MAX_DURATION_SECONDS = 6 * 60 * 60

type CloudflareMessage = { code?: number; message?: string }
type CloudflareEnvelope<T> = { success?: boolean; errors?: CloudflareMessage[]; result?: T }

type DirectUploadResult = { uploadURL?: string; uid?: string }
type VideoDetails = {
  uid?: string
  readyToStream?: boolean
  duration?: number
  requireSignedURLs?: boolean
  status?: { state?: string; errorReasonCode?: string; errorReasonText?: string }
}

/** `Authentication error (code 10000); …`, or null when Cloudflare said nothing usable. */
function describeErrors(errors: CloudflareMessage[] | undefined): string | null {
  const described = (errors ?? [])
    .filter((e) => e.message || e.code !== undefined)
    .map((e) => (e.code === undefined ? `${e.message}` : `${e.message ?? 'error'} (code ${e.code})`))
  return described.length ? described.join('; ') : null
}

async function send(what: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err)
    throw new StreamError(
      `${what}: Cloudflare Stream could not be reached at ${new URL(url).origin} (${cause})`,
    )
  }
}

/** The body as Cloudflare's JSON envelope, or undefined when it is not JSON. */
function parseEnvelope<T>(text: string): CloudflareEnvelope<T> | undefined {
  try {
    return JSON.parse(text) as CloudflareEnvelope<T>
  } catch {
    return undefined
  }
}

function refused(what: string, response: Response, text: string, body?: CloudflareEnvelope<unknown>) {
  const reason = describeErrors(body?.errors) ?? (text.trim().slice(0, 200) || response.statusText)
  return new StreamError(`${what}: Cloudflare answered ${response.status}: ${reason}`)
}

/** Calls the Cloudflare API and returns `result`, or throws with Cloudflare's own messages and the status. */
async function callApi<T>(what: string, api: StreamApi, path: string, init: RequestInit = {}): Promise<T> {
  const url = `${api.baseUrl.replace(/\/+$/, '')}/accounts/${encodeURIComponent(api.accountId)}${path}`
  const response = await send(what, url, {
    ...init,
    headers: { authorization: `Bearer ${api.apiToken}`, ...init.headers },
  })
  const text = await response.text()
  const body = parseEnvelope<T>(text)
  if (!response.ok || body?.success === false || body?.result == null) {
    throw refused(what, response, text, body)
  }
  return body.result
}

async function videoFile(path: string): Promise<{ size: number }> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new StreamError(`no such file: ${path}`)
    throw new StreamError(`cannot read ${path}: ${err.message}`)
  })
  if (!info.isFile()) throw new StreamError(`not a file: ${path}`)
  if (info.size === 0) throw new StreamError(`the file is empty: ${path}`)
  if (info.size > MAX_BASIC_UPLOAD_BYTES) {
    throw new StreamError(
      `${path} is larger than 200 MB, the most Cloudflare accepts in one upload; upload it with tus (resumable) instead`,
    )
  }
  return { size: info.size }
}

function sizeOf(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/**
 * Uploads a video file to Cloudflare Stream the way a direct creator upload does: asks for a one-time
 * upload URL (`POST /accounts/{id}/stream/direct_upload`), posts the file to it as multipart form data,
 * then reads the video back (`GET /accounts/{id}/stream/{uid}`). Cloudflare processes the video after the
 * upload, so `readyToStream` is usually false and `durationSec` null at that point. Throws a StreamError
 * carrying Cloudflare's message and status when a call is refused. `progress` receives one line per stage.
 */
export async function uploadToStream(
  api: StreamApi,
  upload: StreamUpload,
  progress: (line: string) => void = () => {},
): Promise<UploadedVideo> {
  const { size } = await videoFile(upload.file)

  progress('asking Cloudflare Stream for a one-time upload URL')
  const direct = await callApi<DirectUploadResult>('creating the upload URL', api, '/stream/direct_upload', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      maxDurationSeconds: upload.maxDurationSeconds ?? DEFAULT_MAX_DURATION_SECONDS,
      meta: { name: upload.name },
      ...(upload.requireSignedUrls ? { requireSignedURLs: true } : {}),
    }),
  })
  const { uploadURL, uid } = direct
  if (!uploadURL || !uid) {
    throw new StreamError('creating the upload URL: Cloudflare answered without uploadURL or uid')
  }

  progress(`uploading ${basename(upload.file)} (${sizeOf(size)}) as video ${uid}`)
  const form = new FormData()
  form.append('file', await openAsBlob(upload.file), basename(upload.file))
  // The upload URL is its own credential: the API token is not sent there.
  const uploaded = await send('uploading the file', uploadURL, { method: 'POST', body: form })
  if (!uploaded.ok) {
    const text = await uploaded.text()
    throw refused('uploading the file', uploaded, text, parseEnvelope(text))
  }

  const video = await callApi<VideoDetails>('reading the uploaded video', api, `/stream/${uid}`)
  const state = video.status?.state ?? null
  if (state === 'error') {
    const reason = video.status?.errorReasonText || video.status?.errorReasonCode || 'no reason given'
    throw new StreamError(`Cloudflare could not process video ${uid}: ${reason}`)
  }
  const duration = video.duration
  return {
    uid,
    readyToStream: video.readyToStream === true,
    durationSec: typeof duration === 'number' && duration > 0 ? duration : null,
    state,
    requireSignedUrls: video.requireSignedURLs === true,
  }
}
