import { type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json } from '../../../core/http/schemas.ts'
import type { CatalogDeps } from '../deps.ts'
import { actorOf } from '../route-access.ts'
import { ClassParams, CourseParams } from '../schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** The order of a course's steps, a course route (it comes before the steps in the OpenAPI document). */
export function registerStepOrderRoute(app: OpenAPIHono<AppEnv>, deps: CatalogDeps) {
  const courseTags = ['Courses']
  app.openapi(
    defineRoute({
      method: 'put',
      path: '/api/courses/{id}/steps/order',
      tags: courseTags,
      summary: 'Set the order of the steps (every step once; steps students reached cannot move)',
      access: may('courses.author'),
      request: { params: CourseParams, body: { ...json(s.ReorderBody), required: true } },
      responses: {
        200: { description: 'The steps in their new order', ...json(z.array(s.ClassSchema)) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await service.reorderSteps(deps, actorOf(c), c.req.valid('param').id, c.req.valid('json').class_ids),
        200,
      ),
  )
}

/** Steps (Unified.to LmsClass, with the path extensions). */
export function registerStepRoutes(app: OpenAPIHono<AppEnv>, deps: CatalogDeps) {
  const classTags = ['Steps']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes',
      tags: classTags,
      summary: 'List steps; with course_id, in path order',
      access: may('school.read'),
      request: { query: s.ClassListQuery },
      responses: {
        200: { description: 'Steps', ...json(z.array(s.ClassSchema)) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const filter = {
        limit: q.limit,
        offset: q.offset,
        query: q.query,
        updatedGte: q.updated_gte,
        courseId: q.course_id,
      }
      return c.json(await service.listClasses(deps, actorOf(c), filter), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/lms/classes',
      tags: classTags,
      summary: 'Add a step to a course (at the end unless order_index says where)',
      access: may('courses.author'),
      request: { body: { ...json(s.CreateClassBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.ClassSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.createClass(deps, actorOf(c), c.req.valid('json')), 201),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes/{id}',
      tags: classTags,
      summary: 'One step, with its quiz and answer key',
      access: may('school.read'),
      request: { params: ClassParams },
      responses: { 200: { description: 'Step', ...json(s.ClassSchema) }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => c.json(await service.getClass(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  for (const method of ['patch', 'put'] as const) {
    app.openapi(
      defineRoute({
        method,
        path: '/api/lms/classes/{id}',
        tags: classTags,
        summary: 'Update a step (only the fields given change)',
        access: may('courses.author'),
        request: { params: ClassParams, body: { ...json(s.UpdateClassBody), required: true } },
        responses: {
          200: { description: 'Updated', ...json(s.ClassSchema) },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      }),
      async (c) =>
        c.json(
          await service.updateClass(deps, actorOf(c), c.req.valid('param').id, c.req.valid('json')),
          200,
        ),
    )
  }

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/lms/classes/{id}',
      tags: classTags,
      summary: 'Remove a step (not one that students have reached)',
      access: may('courses.author'),
      request: { params: ClassParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      await service.deleteClass(deps, actorOf(c), c.req.valid('param').id)
      return c.body(null, 204)
    },
  )
}
