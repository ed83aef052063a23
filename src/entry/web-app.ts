import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
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
    // The page carries who is signed in, so it differs by visitor: no shared cache may keep it.
    c.header('Cache-Control', 'private, no-cache')
    const nonce = cspNonce()
    c.header('Content-Security-Policy', contentSecurityPolicy({ styleNonce: nonce }))
    const head = [`<meta name="csp-nonce" content="${nonce}">`, await sessionBlock(app, c)]
    return c.html(index.replace('</head>', `${head.join('\n')}\n</head>`))
  })
  return true
}

/**
 * The answer GET /api/auth/me gives this visitor (the member, or null when signed out) as a JSON data block,
 * which the browser never runs: the web app draws the sign-in page or its shell at once instead of asking
 * first, a round trip saved on a slow phone network. Nothing when that answer is neither, so the app asks.
 */
async function sessionBlock(app: OpenAPIHono<AppEnv>, c: Context<AppEnv>): Promise<string> {
  // The page request's own headers: a session cookie, or the assertion Cloudflare Access adds, sign in alike.
  const headers = new Headers(c.req.raw.headers)
  headers.delete('accept-encoding')
  const me = await app.request(new URL('/api/auth/me', c.req.url), { headers }, c.env)
  // A session renewed on the way keeps its renewal, as it would have on the app's own request.
  for (const setCookie of me.headers.getSetCookie()) c.header('Set-Cookie', setCookie, { append: true })
  if (me.status === 401) return sessionScript('null')
  if (me.status !== 200) return ''
  return sessionScript(await me.text())
}

// JSON holds `<` only inside strings, where \u003c reads the same: no name can close the element early.
const sessionScript = (json: string) =>
  `<script type="application/json" id="sillon-session">${json.replaceAll('<', '\\u003c')}</script>`
