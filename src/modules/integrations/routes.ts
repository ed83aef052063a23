import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

const orgOf = (c: Context<AppEnv>) => c.get('member').orgId

export function integrationRoutes(deps: service.IntegrationsDeps) {
  const app = createRouter()
  const tags = ['Webhooks']

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/webhooks',
      tags,
      summary: 'Webhook subscriptions of the organisation, by page',
      access: may('school.administer'),
      request: { query: s.SubscriptionListQuery },
      responses: {
        200: {
          description: 'Subscriptions',
          ...json(z.object({ data: z.array(s.SubscriptionSchema), total: z.number().int() })),
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await service.listSubscriptions(deps, orgOf(c), c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/webhooks',
      tags,
      summary: 'Subscribe a URL to integration events (the signing secret is shown once)',
      access: may('school.administer'),
      request: { body: { ...json(s.CreateSubscriptionBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.CreatedSubscriptionSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await service.createSubscription(deps, orgOf(c), c.req.valid('json')), 201),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/webhooks/{id}',
      tags,
      summary: 'Change a subscription (URL, event types, active)',
      access: may('school.administer'),
      request: { params: s.SubscriptionParams, body: { ...json(s.UpdateSubscriptionBody), required: true } },
      responses: {
        200: { description: 'Updated', ...json(s.SubscriptionSchema) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await service.updateSubscription(deps, orgOf(c), c.req.valid('param').id, c.req.valid('json')),
        200,
      ),
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/webhooks/{id}',
      tags,
      summary: 'Delete a subscription and its delivery log',
      access: may('school.administer'),
      request: { params: s.SubscriptionParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      await service.deleteSubscription(deps, orgOf(c), c.req.valid('param').id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/webhooks/{id}/deliveries',
      tags,
      summary: 'The latest deliveries of a subscription, with their outcome',
      access: may('school.administer'),
      request: { params: s.SubscriptionParams },
      responses: {
        200: { description: 'Deliveries', ...json(z.object({ data: z.array(s.DeliverySchema) })) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json({ data: await service.listDeliveries(deps, orgOf(c), c.req.valid('param').id) }, 200),
  )

  return app
}
