import { type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json, TOTAL_COUNT_HEADER, TotalCountHeaders } from '../../../core/http/schemas.ts'
import type { CatalogDeps } from '../deps.ts'
import { actorOf } from '../route-access.ts'
import { CourseParams } from '../schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** Courses (Unified.to LmsCourse, with Sillon's path extensions): list, read, write, publish, archive. */
export function registerCourseRoutes(app: OpenAPIHono<AppEnv>, deps: CatalogDeps) {
  const courseTags = ['Courses']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/courses',
      tags: courseTags,
      summary: 'List courses (learning paths)',
      access: may('school.read'),
      request: { query: s.CourseListQuery },
      responses: {
        200: {
          description: 'Courses, last updated first',
          headers: TotalCountHeaders,
          ...json(z.array(s.CourseSchema)),
        },
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
        status: q.status,
      }
      const [courses, total] = await Promise.all([
        service.listCourses(deps, actorOf(c), filter),
        service.countCourses(deps, actorOf(c), filter),
      ])
      c.header(TOTAL_COUNT_HEADER, String(total))
      return c.json(courses, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/lms/courses',
      tags: courseTags,
      summary: 'Create a learning path (as a draft), with its enrolments and instructors',
      access: may('courses.author'),
      request: { body: { ...json(s.CreateCourseBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.CourseSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.createCourse(deps, actorOf(c), c.req.valid('json')), 201),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/courses/{id}',
      tags: courseTags,
      summary: 'One course',
      access: may('school.read'),
      request: { params: CourseParams },
      responses: {
        200: { description: 'Course', ...json(s.CourseSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.getCourse(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  for (const method of ['patch', 'put'] as const) {
    app.openapi(
      defineRoute({
        method,
        path: '/api/lms/courses/{id}',
        tags: courseTags,
        summary: 'Update a course; student_ids, team_ids and instructor_ids replace the enrolments given',
        access: may('courses.author'),
        request: { params: CourseParams, body: { ...json(s.UpdateCourseBody), required: true } },
        responses: {
          200: { description: 'Updated', ...json(s.CourseSchema) },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      }),
      async (c) =>
        c.json(
          await service.updateCourse(deps, actorOf(c), c.req.valid('param').id, c.req.valid('json')),
          200,
        ),
    )
  }

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/lms/courses/{id}',
      tags: courseTags,
      summary: 'Delete a draft or archived course',
      access: may('courses.author'),
      request: { params: CourseParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      await service.deleteCourse(deps, actorOf(c), c.req.valid('param').id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/courses/{id}/publish',
      tags: courseTags,
      summary: 'Publish a course whose steps are all complete (409 lists what is missing)',
      access: may('courses.author'),
      request: { params: CourseParams },
      responses: {
        200: { description: 'Published', ...json(s.CourseSchema) },
        ...errorResponses(401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.publishCourse(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/courses/{id}/archive',
      tags: courseTags,
      summary: 'Archive a course',
      access: may('courses.author'),
      request: { params: CourseParams },
      responses: {
        200: { description: 'Archived', ...json(s.CourseSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.archiveCourse(deps, actorOf(c), c.req.valid('param').id), 200),
  )
}
