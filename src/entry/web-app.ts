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
  app.use(
    '/assets/*',
    serveStatic({
      root: dir,
      onFound: (_path, c) => {
        c.header('Cache-Control', 'public, max-age=31536000, immutable')
      },
    }),
  )
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
