import { z } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import type { PersonTable } from '../identity/index.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** Where Unified.to's paths start: an SDK's `serverURL` is Sillon's address followed by this. */
const BASE = '/api/unified/lms/{connection_id}'
const tags = ['Unified.to LMS']

/** The caller as a member of their active organisation; every route here requires one. */
const actorOf = (c: Context<AppEnv>) => c.get('member')

/**
 * Unified.to's own paths, status codes and shapes over the same people, courses and steps as `/api/lms`,
 * so that Unified's SDK works unchanged. Creations answer 200 and removals an empty 200, as Unified does.
 */
export function unifiedRoutes(deps: service.UnifiedDeps) {
  const app = createRouter()
  const connection: MiddlewareHandler<AppEnv> = async (c, next) => {
    await service.assertConnection(deps, actorOf(c), c.req.param('connection_id') ?? '')
    await next()
  }
  const middleware = [connection]

  for (const [object, table, schema] of [
    ['student', 'lms_student', s.StudentSchema],
    ['instructor', 'lms_instructor', s.InstructorSchema],
  ] as const satisfies readonly (readonly [string, PersonTable, unknown])[]) {
    app.openapi(
      defineRoute({
        method: 'get',
        path: `${BASE}/${object}`,
        tags,
        summary: `List ${object}s (course_id, class_id: those of a course)`,
        access: may('school.read'),
        middleware,
        request: { params: s.ConnectionParams, query: s.PersonListQuery },
        responses: {
          200: { description: `${object}s`, ...json(z.array(schema)) },
          ...errorResponses(400, 401, 403, 404),
        },
      }),
      async (c) => c.json(await service.listPeople(deps, actorOf(c), table, c.req.valid('query')), 200),
    )

    app.openapi(
      defineRoute({
        method: 'post',
        path: `${BASE}/${object}`,
        tags,
        summary: `Create a ${object}`,
        access: may('school.administer'),
        middleware,
        request: { params: s.ConnectionParams, body: { ...json(s.CreatePersonBody), required: true } },
        responses: {
          200: { description: 'Created', ...json(schema) },
          ...errorResponses(400, 401, 403, 404),
        },
      }),
      async (c) => c.json(await service.createPerson(deps, actorOf(c), table, c.req.valid('json')), 200),
    )

    app.openapi(
      defineRoute({
        method: 'get',
        path: `${BASE}/${object}/{id}`,
        tags,
        summary: `Retrieve a ${object}`,
        access: may('school.read'),
        middleware,
        request: { params: s.ObjectParams },
        responses: { 200: { description: object, ...json(schema) }, ...errorResponses(401, 403, 404) },
      }),
      async (c) => c.json(await service.getPerson(deps, actorOf(c), table, c.req.valid('param').id), 200),
    )

    for (const method of ['put', 'patch'] as const) {
      app.openapi(
        defineRoute({
          method,
          path: `${BASE}/${object}/{id}`,
          tags,
          summary: `Update a ${object} (only the fields given change)`,
          access: may('school.administer'),
          middleware,
          request: { params: s.ObjectParams, body: { ...json(s.UpdatePersonBody), required: true } },
          responses: {
            200: { description: 'Updated', ...json(schema) },
            ...errorResponses(400, 401, 403, 404),
          },
        }),
        async (c) => {
          const { id } = c.req.valid('param')
          return c.json(await service.updatePerson(deps, actorOf(c), table, id, c.req.valid('json')), 200)
        },
      )
    }

    app.openapi(
      defineRoute({
        method: 'delete',
        path: `${BASE}/${object}/{id}`,
        tags,
        summary: `Remove a ${object} (not one of a current member: remove the member first)`,
        access: may('school.administer'),
        middleware,
        request: { params: s.ObjectParams },
        responses: { 200: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
      }),
      async (c) => {
        await service.removePerson(deps, actorOf(c), table, c.req.valid('param').id)
        return c.body(null, 200)
      },
    )
  }

  // Courses

  app.openapi(
    defineRoute({
      method: 'get',
      path: `${BASE}/course`,
      tags,
      summary: 'List courses',
      access: may('school.read'),
      middleware,
      request: { params: s.ConnectionParams, query: s.ListQuery },
      responses: {
        200: { description: 'Courses', ...json(z.array(s.CourseSchema)) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await service.listCourses(deps, actorOf(c), c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: `${BASE}/course`,
      tags,
      summary: 'Create a course (a draft learning path), with its students and instructors',
      access: may('courses.author'),
      middleware,
      request: { params: s.ConnectionParams, body: { ...json(s.CreateCourseInput), required: true } },
      responses: {
        200: { description: 'Created', ...json(s.CourseSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.createCourse(deps, actorOf(c), c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: `${BASE}/course/{id}`,
      tags,
      summary: 'Retrieve a course',
      access: may('school.read'),
      middleware,
      request: { params: s.ObjectParams },
      responses: {
        200: { description: 'Course', ...json(s.CourseSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.getCourse(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  for (const method of ['put', 'patch'] as const) {
    app.openapi(
      defineRoute({
        method,
        path: `${BASE}/course/{id}`,
        tags,
        summary: 'Update a course (only the fields given change; students and instructors replace the sets)',
        access: may('courses.author'),
        middleware,
        request: { params: s.ObjectParams, body: { ...json(s.UpdateCourseInput), required: true } },
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
      path: `${BASE}/course/{id}`,
      tags,
      summary: 'Remove a draft or archived course',
      access: may('courses.author'),
      middleware,
      request: { params: s.ObjectParams },
      responses: { 200: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      await service.removeCourse(deps, actorOf(c), c.req.valid('param').id)
      return c.body(null, 200)
    },
  )

  // Classes: the steps of a course

  app.openapi(
    defineRoute({
      method: 'get',
      path: `${BASE}/class`,
      tags,
      summary: 'List classes (the steps of courses; with course_id, in path order)',
      access: may('school.read'),
      middleware,
      request: { params: s.ConnectionParams, query: s.ClassListQuery },
      responses: {
        200: { description: 'Classes', ...json(z.array(s.ClassSchema)) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await service.listClasses(deps, actorOf(c), c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: `${BASE}/class`,
      tags,
      summary:
        'Add a class at the end of a course: a video step when a media is a VIDEO, otherwise a reading',
      access: may('courses.author'),
      middleware,
      request: { params: s.ConnectionParams, body: { ...json(s.CreateClassInput), required: true } },
      responses: {
        200: { description: 'Created', ...json(s.ClassSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.createClass(deps, actorOf(c), c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: `${BASE}/class/{id}`,
      tags,
      summary: 'Retrieve a class',
      access: may('school.read'),
      middleware,
      request: { params: s.ObjectParams },
      responses: { 200: { description: 'Class', ...json(s.ClassSchema) }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => c.json(await service.getClass(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  for (const method of ['put', 'patch'] as const) {
    app.openapi(
      defineRoute({
        method,
        path: `${BASE}/class/{id}`,
        tags,
        summary: 'Update a class (only the fields given change)',
        access: may('courses.author'),
        middleware,
        request: { params: s.ObjectParams, body: { ...json(s.UpdateClassInput), required: true } },
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
      path: `${BASE}/class/{id}`,
      tags,
      summary: 'Remove a class (not one that students have reached)',
      access: may('courses.author'),
      middleware,
      request: { params: s.ObjectParams },
      responses: { 200: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      await service.removeClass(deps, actorOf(c), c.req.valid('param').id)
      return c.body(null, 200)
    },
  )

  return app
}
