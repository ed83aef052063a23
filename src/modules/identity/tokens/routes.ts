import { type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json } from '../../../core/http/schemas.ts'
import type { IdentityDeps } from '../deps.ts'
import { memberOf } from '../route-access.ts'
import * as s from '../schemas.ts'
import { tokenView } from './presenters.ts'
import * as service from './service.ts'

/** API tokens of the members. */
export function registerTokenRoutes(app: OpenAPIHono<AppEnv>, deps: IdentityDeps) {
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/tokens',
      tags: ['API tokens'],
      summary:
        'Your API tokens in the active organisation (owners and admins: every token with all=true), by page',
      access: 'member',
      request: { query: s.ApiTokenListQuery },
      responses: {
        200: {
          description: 'Tokens, newest first',
          ...json(z.object({ data: z.array(s.ApiTokenSchema), total: z.number().int() })),
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const me = memberOf(c)
      const { rows, total } = await service.listApiTokens(deps, me.orgId, me, c.req.valid('query'))
      return c.json({ data: rows.map(tokenView), total }, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/tokens',
      tags: ['API tokens'],
      summary: 'Create an API token for yourself in the active organisation (shown once)',
      access: 'member',
      request: { body: { ...json(s.CreateApiTokenBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.CreatedApiTokenSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const me = memberOf(c)
      const created = await service.createApiToken(deps, me.orgId, me.userId, c.req.valid('json'), me)
      return c.json({ ...tokenView(created), token: created.token }, 201)
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/tokens/{id}',
      tags: ['API tokens'],
      summary: 'Revoke an API token',
      access: 'member',
      request: { params: s.ApiTokenParams },
      responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const me = memberOf(c)
      await service.revokeApiToken(deps, me.orgId, me, c.req.valid('param').id)
      return c.body(null, 204)
    },
  )
}
