import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { badRequest } from '../../../core/http/errors.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { ErrorSchema, errorResponses, json } from '../../../core/http/schemas.ts'
import type { CatalogDeps } from '../deps.ts'
import { actorOf } from '../route-access.ts'
import { CourseParams } from '../schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** KMS: the course handout. */
export function registerKmsRoutes(app: OpenAPIHono<AppEnv>, deps: CatalogDeps) {
  const kmsTags = ['Course handout (KMS)']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/courses/{id}/kms',
      tags: kmsTags,
      summary:
        'The course handout as the caller may see it (students: advance resources, all once completed)',
      access: 'member',
      request: { params: CourseParams },
      responses: {
        200: { description: 'Resources', ...json(s.KmsListSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.listKms(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/courses/{id}/kms',
      tags: kmsTags,
      summary: 'Add a document or link (JSON) or upload a file (multipart) to the handout',
      access: may('courses.author'),
      request: {
        params: CourseParams,
        body: {
          content: {
            'application/json': { schema: s.CreateKmsBody },
            'multipart/form-data': { schema: s.KmsUploadForm },
          },
          // Not "required": that would run both validators; each one runs for its own content type.
          required: false,
        },
      },
      responses: {
        201: { description: 'Added', ...json(s.KmsResourceSchema) },
        415: { description: 'File type not accepted', ...json(ErrorSchema) },
        ...errorResponses(400, 401, 403, 404, 409, 413),
      },
    }),
    async (c) => {
      const courseId = c.req.valid('param').id
      const contentType = c.req.header('content-type') ?? ''
      const multipart = contentType.startsWith('multipart/form-data')
      if (!multipart && !contentType.startsWith('application/json')) {
        throw badRequest('body_required', 'Send a JSON document or link, or a multipart file upload')
      }
      const body = multipart ? c.req.valid('form') : c.req.valid('json')
      const created =
        'file' in body
          ? await service.createKmsFile(deps, actorOf(c), courseId, body)
          : await service.createKmsResource(deps, actorOf(c), courseId, body)
      return c.json(created, 201)
    },
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/courses/{id}/kms/{resource_id}',
      tags: kmsTags,
      summary: 'Change a handout resource',
      access: may('courses.author'),
      request: { params: s.KmsParams, body: { ...json(s.UpdateKmsBody), required: true } },
      responses: {
        200: { description: 'Updated', ...json(s.KmsResourceSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id, resource_id } = c.req.valid('param')
      return c.json(
        await service.updateKmsResource(deps, actorOf(c), id, resource_id, c.req.valid('json')),
        200,
      )
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/courses/{id}/kms/{resource_id}',
      tags: kmsTags,
      summary: 'Remove a handout resource (and its file)',
      access: may('courses.author'),
      request: { params: s.KmsParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, resource_id } = c.req.valid('param')
      await service.deleteKmsResource(deps, actorOf(c), id, resource_id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/courses/{id}/kms/{resource_id}/file',
      tags: kmsTags,
      summary: 'Download a handout file',
      access: 'member',
      request: { params: s.KmsParams },
      responses: {
        200: {
          description: 'The file',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const { id, resource_id } = c.req.valid('param')
      const file = await service.readKmsFile(deps, actorOf(c), id, resource_id)
      c.header('Content-Type', file.type)
      c.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      c.header('Content-Security-Policy', "default-src 'none'; sandbox")
      c.header('Cache-Control', 'private, no-store')
      return c.body(file.data as Uint8Array<ArrayBuffer>, 200)
    },
  )
}
