import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import type { Logger } from 'pino'
import { isDatabaseUnavailable, isUniqueViolation } from '../db/errors.ts'
import { compressJson } from './compress.ts'
import type { AppEnv, Identity } from './context.ts'
import { crossSiteProtection } from './csrf.ts'
import { AppError, errorBody } from './errors.ts'
import { inputGuards } from './input-guards.ts'
import { createRouter } from './router.ts'
import { TOTAL_COUNT_HEADER } from './schemas.ts'
import { securityHeaders } from './security-headers.ts'

export type HttpAppOptions = {
  logger: Logger
  publicUrl: string
  corsOrigins: readonly string[]
  bodyLimitBytes: number
  /** Largest file accepted in a multipart upload. */
  uploadLimitBytes: number
  /** Where the caller's address comes from on this runtime (socket, proxy header, Cloudflare). */
  clientIp: (c: Context<AppEnv>) => string | undefined
  /** Resolves the caller from the request; null when anonymous. Throws AppError for bad credentials. */
  authenticate: (c: Context<AppEnv>) => Promise<Identity | null>
}

// Room for the other fields and boundaries of a multipart body around the file itself.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024
const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/
// What a client is told to wait before retrying while the database restarts or fails over.
const DATABASE_RETRY_AFTER_SECONDS = 5
// Below this, gzip's header and the work outweigh what it saves.
const COMPRESS_THRESHOLD_BYTES = 1024

/**
 * The web app's files and pages (everything outside /api) are logged at debug when served: a first page
 * load fetches dozens of them, which would bury the start-up banner and the API's requests. A failure is
 * worth seeing at any level.
 */
function requestLogLevel(path: string, status: number): 'info' | 'debug' {
  return status < 400 && !/^\/api(\/|$)/.test(path) ? 'debug' : 'info'
}

/** The HTTP shell shared by every runtime: ids, logs, headers, limits, errors and the caller's identity. */
export function createHttpApp(options: HttpAppOptions): OpenAPIHono<AppEnv> {
  const app = createRouter()
  const publicOrigin = new URL(options.publicUrl).origin

  app.use(
    '*',
    requestId({
      headerName: 'X-Request-Id',
      generator: () => crypto.randomUUID(),
      limitLength: 128,
    }),
  )
  app.use('*', async (c, next) => {
    const id = REQUEST_ID_PATTERN.test(c.var.requestId) ? c.var.requestId : crypto.randomUUID()
    c.set('requestId', id)
    const logger = options.logger.child({ requestId: id })
    c.set('logger', logger)
    c.set('clientIp', options.clientIp(c))
    const started = performance.now()
    await next()
    logger[requestLogLevel(c.req.path, c.res.status)](
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    )
  })
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'same-origin' }))
  app.use('*', securityHeaders())
  // A dashboard or a course outline is a few kilobytes of JSON: worth a gzip on a phone's connection.
  app.use('/api/*', compressJson(COMPRESS_THRESHOLD_BYTES))
  if (options.corsOrigins.length > 0) {
    app.use(
      '/api/*',
      cors({
        origin: [...options.corsOrigins],
        credentials: true,
        allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
        exposeHeaders: ['X-Request-Id', TOTAL_COUNT_HEADER],
        maxAge: 600,
      }),
    )
  }
  // File uploads (multipart) get their own, larger limit; everything else stays small.
  const limitFor = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => {
        // The rest of the body is left unread on the socket: the client must not send its next request there.
        c.header('Connection', 'close')
        return c.json(errorBody('payload_too_large', `Request body exceeds ${maxSize} bytes`), 413)
      },
    })
  const jsonLimit = limitFor(options.bodyLimitBytes)
  const uploadLimit = limitFor(options.uploadLimitBytes + MULTIPART_OVERHEAD_BYTES)
  app.use('/api/*', (c, next) =>
    (c.req.header('content-type') ?? '').startsWith('multipart/form-data')
      ? uploadLimit(c, next)
      : jsonLimit(c, next),
  )
  // Everywhere, not only under /api: every route reads its URL, and JSON routes may live elsewhere.
  app.use('*', inputGuards())
  app.use('/api/*', crossSiteProtection([publicOrigin, ...options.corsOrigins]))
  app.use('/api/*', async (c, next) => {
    c.set('identity', await options.authenticate(c))
    await next()
  })

  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404))
  app.onError((err, c) => {
    if (err instanceof AppError) return c.json(errorBody(err.code, err.message, err.details), err.status)
    if (isDatabaseUnavailable(err)) {
      const logger = c.var.logger ?? options.logger
      logger.warn({ err, requestId: c.var.requestId }, 'database unavailable')
      c.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS))
      return c.json(
        errorBody('database_unavailable', 'The database is not answering; try again in a few seconds'),
        503,
      )
    }
    if (isUniqueViolation(err)) {
      return c.json(
        errorBody('conflict', 'This conflicts with a change made at the same moment; try again'),
        409,
      )
    }
    if (err instanceof HTTPException && err.status === 415) {
      // zod-openapi's refusal of a body sent without a Content-Type (one of the wrong type is refused earlier).
      const received = c.req.header('content-type') || null
      return c.json(
        errorBody('unsupported_media_type', 'Name the type of the body in a Content-Type header', {
          received,
        }),
        415,
      )
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = err.status === 400 ? 'bad_request' : `http_${err.status}`
      return c.json(errorBody(code, err.message || 'Bad request'), err.status)
    }
    const logger = c.var.logger ?? options.logger
    logger.error({ err, requestId: c.var.requestId }, 'unhandled error')
    return c.json(
      errorBody('internal_error', 'Something went wrong on our side', { request_id: c.var.requestId }),
      500,
    )
  })
  return app
}
