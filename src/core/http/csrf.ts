import type { MiddlewareHandler } from 'hono'
import { tokenFromAuthorization } from './authorization.ts'
import type { AppEnv } from './context.ts'
import { errorBody } from './errors.ts'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Refuses unsafe requests that a browser sent from another site. Cookies (and Cloudflare Access,
 * which Cloudflare adds to every request) are ambient credentials, so any request not carrying an
 * explicit API token must come from an allowed origin. Requests without Origin and Fetch Metadata
 * headers are not from a browser and cannot be forged cross-site.
 */
export function crossSiteProtection(allowedOrigins: readonly string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(allowedOrigins)
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next()
    if (tokenFromAuthorization(c.req.header('authorization') ?? '')) return next()
    const origin = c.req.header('origin')
    const fetchSite = c.req.header('sec-fetch-site')
    const sameOrigin = origin ? allowed.has(origin) || origin === new URL(c.req.url).origin : undefined
    const crossSite = origin ? !sameOrigin : fetchSite === 'cross-site' || fetchSite === 'same-site'
    if (crossSite) {
      return c.json(errorBody('csrf_rejected', 'Cross-site request refused'), 403)
    }
    return next()
  }
}
