import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../core/http/context.ts'
import { contentSecurityPolicy, cspNonce } from '../core/http/security-headers.ts'

/**
 * Serves the built web app (dist/web) at `/`: hashed assets cached for good, and index.html for every
 * other GET outside `/api`, so the app's own routes survive a reload (history fallback). Returns false
 * when there is no build to serve.
 */
export function serveWebApp(app: OpenAPIHono<AppEnv>, dir: string): boolean {
  const indexFile = join(dir, 'index.html')
  if (!existsSync(indexFile)) return false
  const index = readFileSync(indexFile, 'utf8')
  // serveStatic builds its response before `onFound` runs, so headers set there are lost: they go on the
  // response once it is made. Every file here is named by the hash of its content.
  app.use('/assets/*', async (c, next) => {
    await next()
    if (c.res.status !== 200 && c.res.status !== 206) return
    c.res.headers.set('Cache-Control', 'public, max-age=31536000, immutable')
    // The same URL answers br, gzip or plain by Accept-Encoding, so caches must key on it every time.
    if (!/\bAccept-Encoding\b/i.test(c.res.headers.get('Vary') ?? ''))
      c.res.headers.append('Vary', 'Accept-Encoding')
  })
  // The build writes .br and .gz beside each file (web/precompress.ts); they are sent as they are.
  app.use('/assets/*', serveStatic({ root: dir, precompressed: true }))
  app.get('*', async (c, next) => {
    // An API path, or an asset that is not there (an old build's), gets a 404, never the page.
    if (/^\/(api|assets)(\/|$)/.test(c.req.path)) return next()
    c.header('Cache-Control', 'no-cache')
    const nonce = cspNonce()
    c.header('Content-Security-Policy', contentSecurityPolicy({ styleNonce: nonce }))
    return c.html(index.replace('</head>', `<meta name="csp-nonce" content="${nonce}">\n</head>`))
  })
  return true
}
