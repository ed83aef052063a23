import { type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { ErrorSchema, errorResponses, json } from '../../../core/http/schemas.ts'
import type { CatalogDeps } from '../deps.ts'
import { actorOf } from '../route-access.ts'
import { ClassParams } from '../schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** Caption tracks (WebVTT) of step videos. */
export function registerCaptionRoutes(app: OpenAPIHono<AppEnv>, deps: CatalogDeps) {
  const captionTags = ['Steps']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes/{id}/captions',
      tags: captionTags,
      summary: "The caption tracks of a step's video",
      access: 'member',
      request: { params: ClassParams },
      responses: {
        200: { description: 'Caption tracks', ...json(z.array(s.CaptionSchema)) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.listCaptions(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/lms/classes/{id}/captions',
      tags: captionTags,
      summary: "Upload a WebVTT caption track for a step's video (multipart: file, language, label)",
      access: may('courses.author'),
      request: {
        params: ClassParams,
        // Not "required", so that a missing form is judged after the step: another school's step is 404.
        body: { content: { 'multipart/form-data': { schema: s.CaptionUploadForm } }, required: false },
      },
      responses: {
        201: { description: 'Added', ...json(s.CaptionSchema) },
        415: { description: 'Not a WebVTT file', ...json(ErrorSchema) },
        ...errorResponses(400, 401, 403, 404, 409, 413),
      },
    }),
    async (c) => {
      const multipart = (c.req.header('content-type') ?? '').startsWith('multipart/form-data')
      const form = multipart ? c.req.valid('form') : null
      return c.json(await service.createCaption(deps, actorOf(c), c.req.valid('param').id, form), 201)
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/lms/classes/{id}/captions/{caption_id}',
      tags: captionTags,
      summary: 'Remove a caption track (and its file)',
      access: may('courses.author'),
      request: { params: s.CaptionParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, caption_id } = c.req.valid('param')
      await service.deleteCaption(deps, actorOf(c), id, caption_id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes/{id}/captions/{caption_id}/file',
      tags: captionTags,
      summary: 'A caption track as the player loads it (text/vtt)',
      access: 'member',
      request: { params: s.CaptionParams },
      responses: {
        200: { description: 'The WebVTT file', content: { 'text/vtt': { schema: { type: 'string' } } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const { id, caption_id } = c.req.valid('param')
      const data = await service.readCaptionFile(deps, actorOf(c), id, caption_id)
      c.header('Content-Type', 'text/vtt; charset=utf-8')
      c.header('Content-Security-Policy', "default-src 'none'; sandbox")
      c.header('Cache-Control', 'private, no-cache')
      return c.body(data as Uint8Array<ArrayBuffer>, 200)
    },
  )
}
