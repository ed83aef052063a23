import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { ErrorSchema, errorResponses, json } from '../../../core/http/schemas.ts'
import type { CatalogDeps } from '../deps.ts'
import { actorOf } from '../route-access.ts'
import { ClassParams } from '../schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** How staff play a step's video (students get theirs with the step, from progress). */
export function registerPlaybackRoutes(app: OpenAPIHono<AppEnv>, deps: CatalogDeps) {
  const classTags = ['Steps']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes/{id}/playback',
      tags: classTags,
      summary: "Play a step's video (a private Stream video comes with a signed token)",
      access: may('school.read'),
      request: { params: ClassParams },
      responses: {
        200: { description: 'How to play it', ...json(s.PlaybackSchema) },
        503: { description: 'Stream signing is not configured', ...json(ErrorSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.previewPlayback(deps, actorOf(c), c.req.valid('param').id), 200),
  )
}
