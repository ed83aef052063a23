import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// A loopback stand-in for the Cloudflare Stream API, for the upload tests: it speaks the envelope
// `{ success, errors, messages, result }`, checks the bearer token and account, hands out one-time upload
// URLs pointing back at itself, receives the multipart upload and answers the video's details.

type ReceivedVideo = {
  uid: string
  /** What `POST /stream/direct_upload` was sent. */
  request: { maxDurationSeconds?: number; meta?: { name?: string }; requireSignedURLs?: boolean }
  /** The uploaded file, once it has arrived. */
  file?: { name: string; bytes: Buffer }
  /** The Authorization header the upload URL was called with (it should get none). */
  uploadAuthorization?: string
}

export type FakeStreamApi = {
  /** What `CLOUDFLARE_API_BASE_URL` should be, e.g. `http://127.0.0.1:PORT/client/v4`. */
  baseUrl: string
  accountId: string
  apiToken: string
  videos: Map<string, ReceivedVideo>
  /** What the video details answer after an upload: Cloudflare knows the duration once it has processed it. */
  processing: { readyToStream: boolean; duration: number; state: string; errorReasonText?: string }
  close(): Promise<void>
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

const failure = (res: ServerResponse, status: number, code: number, message: string) =>
  json(res, status, { success: false, errors: [{ code, message }], messages: [], result: null })

const success = (res: ServerResponse, result: unknown) =>
  json(res, 200, { success: true, errors: [], messages: [], result })

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function startFakeStreamApi(
  settings: { accountId?: string; apiToken?: string } = {},
): Promise<FakeStreamApi> {
  const accountId = settings.accountId ?? randomBytes(16).toString('hex')
  const apiToken = settings.apiToken ?? `stream-token-${randomBytes(8).toString('hex')}`
  const videos = new Map<string, ReceivedVideo>()
  let origin = ''
  const api: FakeStreamApi = {
    baseUrl: '',
    accountId,
    apiToken,
    videos,
    processing: { readyToStream: false, duration: -1, state: 'queued' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', origin).pathname

    const upload = /^\/upload\/([0-9a-f]{32})$/.exec(path)
    if (upload && req.method === 'POST') {
      const video = videos.get(upload[1]!)
      if (!video || video.file) return failure(res, 404, 10005, 'Upload URL not found or already used')
      const form = await new Response(new Uint8Array(await bodyOf(req)), {
        headers: { 'content-type': req.headers['content-type'] ?? '' },
      })
        .formData()
        .catch(() => undefined)
      const file = form?.get('file')
      if (!(file instanceof File)) return failure(res, 400, 10010, 'Missing file field in form data')
      video.file = { name: file.name, bytes: Buffer.from(await file.arrayBuffer()) }
      video.uploadAuthorization = req.headers.authorization
      res.writeHead(200).end()
      return
    }

    const prefix = `/client/v4/accounts/${accountId}/stream`
    if (!path.startsWith('/client/v4/accounts/')) return failure(res, 404, 7003, 'No route for that URI')
    if (req.headers.authorization !== `Bearer ${apiToken}`) {
      return failure(res, 401, 10000, 'Authentication error')
    }
    if (!path.startsWith(`${prefix}/`)) return failure(res, 403, 10000, 'Authentication error')
    const rest = path.slice(prefix.length + 1)

    if (rest === 'direct_upload' && req.method === 'POST') {
      const request = JSON.parse((await bodyOf(req)).toString('utf8') || '{}') as ReceivedVideo['request']
      const max = request.maxDurationSeconds
      if (!Number.isInteger(max) || max! < 1 || max! > 36000) {
        return failure(res, 400, 10005, 'maxDurationSeconds must be between 1 and 36000')
      }
      const uid = randomBytes(16).toString('hex')
      videos.set(uid, { uid, request })
      return success(res, { uid, uploadURL: `${origin}/upload/${uid}`, watermark: null })
    }

    const video = videos.get(rest)
    if (video && req.method === 'GET') {
      if (!video.file)
        return success(res, {
          uid: video.uid,
          readyToStream: false,
          duration: -1,
          status: { state: 'pendingupload' },
        })
      const { readyToStream, duration, state, errorReasonText } = api.processing
      return success(res, {
        uid: video.uid,
        readyToStream,
        duration,
        meta: video.request.meta ?? {},
        requireSignedURLs: video.request.requireSignedURLs === true,
        status: { state, ...(errorReasonText ? { errorReasonCode: 'ERR_NON_VIDEO', errorReasonText } : {}) },
      })
    }
    return failure(res, 404, 10003, 'Not Found')
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => failure(res, 500, 10002, `fake Stream API: ${String(err)}`))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`
  api.baseUrl = `${origin}/client/v4`
  return api
}
