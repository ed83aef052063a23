import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi'
import { type Access, authorize, describeAccess } from './access.ts'
import type { AppEnv } from './context.ts'
import { errorBody } from './errors.ts'
import { dotted, findNul, nulRefused } from './input-guards.ts'
import { deriveOperationId } from './operation-id.ts'
import { ErrorSchema, json } from './schemas.ts'

/** A router whose request validation failures answer with the shared error shape. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) {
        // Form fields, params and headers too: PostgreSQL stores no NUL character in text.
        const at = findNul(result.data)
        return at ? nulRefused(c, dotted(at) || result.target) : undefined
      }
      const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
      const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
      return c.json(errorBody('validation_failed', `Invalid request: ${summary}`, { issues }), 400)
    },
  })
}

// Every /api route resolves the caller's credentials before its access rule applies, so a public one
// too answers 401 when a credential is sent and not valid.
function withInvalidCredential(path: string, responses: RouteConfig['responses']) {
  if (!path.startsWith('/api/') || 401 in responses) return responses
  return {
    ...responses,
    401: { description: 'A credential was sent and is not valid', ...json(ErrorSchema) },
  }
}

/**
 * A route that states who may call it. The access rule is enforced by middleware and published
 * in the OpenAPI document (`x-sillon-access`, and `security`), so the rule and its documentation
 * cannot drift. A route without an `operationId` gets one derived from its method and path.
 */
export function defineRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(
  route: R & { access: Access },
) {
  const { access, ...rest } = route
  const guards = access === 'public' ? [] : [authorize(access)]
  return createRoute({
    ...rest,
    operationId: rest.operationId ?? deriveOperationId(rest.method, rest.path),
    middleware: [...guards, ...(Array.isArray(rest.middleware) ? rest.middleware : [])],
    security: access === 'public' ? [] : [{ session: [] }, { bearer: [] }, { cfAccess: [] }],
    responses: access === 'public' ? withInvalidCredential(rest.path, rest.responses) : rest.responses,
    'x-sillon-access': describeAccess(access),
  } as unknown as R)
}
