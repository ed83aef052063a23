import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { type Access, authorize, describeAccess } from './access.ts'
import type { AppEnv } from './context.ts'
import { AppError, errorBody } from './errors.ts'
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

const JSON_TYPE = /^application\/([a-z.-]+\+)?json$/
const FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded']

/** Whether a body of this media type (lowercase, no parameters) is one the declared type stands for. */
function takes(declared: string, received: string) {
  if (JSON_TYPE.test(declared)) return JSON_TYPE.test(received)
  if (FORM_TYPES.includes(declared)) return FORM_TYPES.includes(received)
  return declared === received
}

/**
 * Refuses a body of a type the route does not take (JSON sent to an upload, a form to a JSON route) in the
 * shared error shape, naming the types it takes. zod-openapi refuses them too, after this, but with a bare
 * HTTPException; the app's error handler keeps that one for a body sent without any type.
 */
function bodyTypeGate(declared: string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('content-type')
    const received = header?.split(';')[0]?.trim().toLowerCase()
    if (received && !declared.some((type) => takes(type.toLowerCase(), received))) {
      throw new AppError(
        415,
        'unsupported_media_type',
        `This route takes a body of type ${declared.join(' or ')}, not ${received}`,
        { accepted: declared, received },
      )
    }
    await next()
  }
}

/** The media types of a route's body that zod-openapi validates (JSON and forms), if any. */
function validatedBodyTypes(request: RouteConfig['request']): string[] {
  const types = Object.keys(request?.body?.content ?? {})
  return types.some((type) => JSON_TYPE.test(type.toLowerCase()) || FORM_TYPES.includes(type.toLowerCase()))
    ? types
    : []
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
  const bodyTypes = validatedBodyTypes(rest.request)
  if (bodyTypes.length > 0) guards.push(bodyTypeGate(bodyTypes))
  return createRoute({
    ...rest,
    operationId: rest.operationId ?? deriveOperationId(rest.method, rest.path),
    middleware: [...guards, ...(Array.isArray(rest.middleware) ? rest.middleware : [])],
    security: access === 'public' ? [] : [{ session: [] }, { bearer: [] }, { cfAccess: [] }],
    responses: access === 'public' ? withInvalidCredential(rest.path, rest.responses) : rest.responses,
    'x-sillon-access': describeAccess(access),
  } as unknown as R)
}
