import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi'
import { type Access, authorize, describeAccess } from './access.ts'
import type { AppEnv } from './context.ts'
import { errorBody } from './errors.ts'

/** A router whose request validation failures answer with the shared error shape. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return
      const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
      const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
      return c.json(errorBody('validation_failed', `Invalid request: ${summary}`, { issues }), 400)
    },
  })
}

/**
 * A route that states who may call it. The access rule is enforced by middleware and published
 * in the OpenAPI document (`x-sillon-access`), so the rule and its documentation cannot drift.
 */
export function defineRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(
  route: R & { access: Access },
) {
  const { access, ...rest } = route
  const guards = access === 'public' ? [] : [authorize(access)]
  return createRoute({
    ...rest,
    middleware: [...guards, ...(Array.isArray(rest.middleware) ? rest.middleware : [])],
    ...(access === 'public' ? {} : { security: [{ session: [] }, { bearer: [] }] }),
    'x-sillon-access': describeAccess(access),
  } as unknown as R)
}
