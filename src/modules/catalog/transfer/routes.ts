import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json } from '../../../core/http/schemas.ts'
import { auditActor } from '../../audit/index.ts'
import { CourseSchema } from '../courses/schemas.ts'
import type { CatalogDeps } from '../deps.ts'
import { actorOf } from '../route-access.ts'
import { CourseParams } from '../schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** Export and import: a course as one JSON document. */
export function registerTransferRoutes(app: OpenAPIHono<AppEnv>, deps: CatalogDeps) {
  const courseTags = ['Courses']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/courses/{id}/export',
      tags: courseTags,
      summary:
        'The course as one JSON document: steps, quizzes with answer keys, handout documents and links',
      access: may('school.read'),
      request: { params: CourseParams },
      responses: {
        200: { description: 'Document', ...json(s.CourseDocumentSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await service.exportCourse(deps, actorOf(c).orgId, c.req.valid('param').id, auditActor(actorOf(c))),
        200,
      ),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/lms/courses/import',
      tags: courseTags,
      summary: 'Create a draft course from an exported document',
      access: may('courses.author'),
      request: { body: { ...json(s.CourseDocumentSchema), required: true } },
      responses: {
        201: { description: 'Created', ...json(CourseSchema) },
        ...errorResponses(400, 401, 403, 409),
      },
    }),
    async (c) => c.json(await service.importCourse(deps, actorOf(c), c.req.valid('json')), 201),
  )
}
