import { type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json } from '../../../core/http/schemas.ts'
import type { IdentityDeps } from '../deps.ts'
import type { PersonTable } from '../repository.ts'
import { memberOf } from '../route-access.ts'
import * as s from '../schemas.ts'
import * as service from './service.ts'

/** Unified.to LMS people: the school's students and instructors (lms_student, lms_instructor). */
export function registerPeopleRoutes(app: OpenAPIHono<AppEnv>, deps: IdentityDeps) {
  for (const [segment, table, label] of [
    ['students', 'lms_student', 'student'],
    ['instructors', 'lms_instructor', 'instructor'],
  ] as const satisfies readonly (readonly [string, PersonTable, string])[]) {
    const tags = ['LMS (Unified.to)']
    app.openapi(
      defineRoute({
        method: 'get',
        path: `/api/lms/${segment}`,
        tags,
        summary: `List ${label}s`,
        access: may('school.read'),
        request: { query: s.LmsPersonListQuery },
        responses: {
          200: { description: `${label}s`, ...json(z.array(s.LmsPersonSchema)) },
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
          classId: q.class_id,
        }
        return c.json(await service.listPersons(deps, memberOf(c).orgId, table, filter), 200)
      },
    )

    app.openapi(
      defineRoute({
        method: 'post',
        path: `/api/lms/${segment}`,
        tags,
        summary: `Create a ${label} profile`,
        access: may('school.administer'),
        request: { body: { ...json(s.CreateLmsPersonBody), required: true } },
        responses: {
          201: { description: 'Created', ...json(s.LmsPersonSchema) },
          ...errorResponses(400, 401, 403),
        },
      }),
      async (c) =>
        c.json(await service.createPerson(deps, memberOf(c).orgId, table, c.req.valid('json')), 201),
    )

    app.openapi(
      defineRoute({
        method: 'get',
        path: `/api/lms/${segment}/{id}`,
        tags,
        summary: `One ${label}`,
        access: may('school.read'),
        request: { params: s.LmsPersonParams },
        responses: {
          200: { description: label, ...json(s.LmsPersonSchema) },
          ...errorResponses(401, 403, 404),
        },
      }),
      async (c) =>
        c.json(await service.getPerson(deps, memberOf(c).orgId, table, c.req.valid('param').id), 200),
    )

    for (const method of ['patch', 'put'] as const) {
      app.openapi(
        defineRoute({
          method,
          path: `/api/lms/${segment}/{id}`,
          tags,
          summary: `Update a ${label} (only the fields given change)`,
          access: may('school.administer'),
          request: { params: s.LmsPersonParams, body: { ...json(s.UpdateLmsPersonBody), required: true } },
          responses: {
            200: { description: 'Updated', ...json(s.LmsPersonSchema) },
            ...errorResponses(400, 401, 403, 404),
          },
        }),
        async (c) =>
          c.json(
            await service.updatePerson(
              deps,
              memberOf(c).orgId,
              table,
              c.req.valid('param').id,
              c.req.valid('json'),
            ),
            200,
          ),
      )
    }

    app.openapi(
      defineRoute({
        method: 'delete',
        path: `/api/lms/${segment}/{id}`,
        tags,
        summary: `Delete a ${label} profile (not one of a current member: remove the member first)`,
        access: may('school.administer'),
        request: { params: s.LmsPersonParams },
        responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404, 409) },
      }),
      async (c) => {
        await service.deletePerson(deps, memberOf(c).orgId, table, c.req.valid('param').id)
        return c.body(null, 204)
      },
    )
  }
}
