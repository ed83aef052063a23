import { type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json, TOTAL_COUNT_HEADER, TotalCountHeaders } from '../../../core/http/schemas.ts'
import type { CatalogDeps } from '../deps.ts'
import { actorOf } from '../route-access.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** Teams (cohorts) and their students. */
export function registerTeamRoutes(app: OpenAPIHono<AppEnv>, deps: CatalogDeps) {
  const teamTags = ['Teams']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/teams',
      tags: teamTags,
      summary: 'List teams (cohorts)',
      access: may('school.read'),
      request: { query: s.TeamListQuery },
      responses: {
        200: { description: 'Teams by name', headers: TotalCountHeaders, ...json(z.array(s.TeamSchema)) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { teams, total } = await service.listTeams(deps, actorOf(c), c.req.valid('query'))
      c.header(TOTAL_COUNT_HEADER, String(total))
      return c.json(teams, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/teams',
      tags: teamTags,
      summary: "The signed-in student's teams (id and name), for team leaderboards",
      access: 'member',
      responses: {
        200: { description: 'Teams', ...json(s.MyTeamsSchema) },
        ...errorResponses(401),
      },
    }),
    async (c) => c.json(await service.myTeams(deps, actorOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/teams',
      tags: teamTags,
      summary: 'Create a team',
      access: may('school.administer'),
      request: { body: { ...json(s.CreateTeamBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.TeamSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.createTeam(deps, actorOf(c), c.req.valid('json')), 201),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/teams/{id}',
      tags: teamTags,
      summary: 'One team',
      access: may('school.read'),
      request: { params: s.TeamParams },
      responses: { 200: { description: 'Team', ...json(s.TeamSchema) }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => c.json(await service.getTeam(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/teams/{id}',
      tags: teamTags,
      summary: 'Rename a team or replace its students',
      access: may('school.administer'),
      request: { params: s.TeamParams, body: { ...json(s.UpdateTeamBody), required: true } },
      responses: {
        200: { description: 'Updated', ...json(s.TeamSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(await service.updateTeam(deps, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/teams/{id}',
      tags: teamTags,
      summary: 'Delete a team (its students stay enrolled only where they were enrolled directly)',
      access: may('school.administer'),
      request: { params: s.TeamParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      await service.deleteTeam(deps, actorOf(c), c.req.valid('param').id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/teams/{id}/members',
      tags: teamTags,
      summary: 'Add a student to a team',
      access: may('school.administer'),
      request: { params: s.TeamParams, body: { ...json(s.AddTeamMemberBody), required: true } },
      responses: {
        200: { description: 'Team', ...json(s.TeamSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await service.addTeamMember(
          deps,
          actorOf(c),
          c.req.valid('param').id,
          c.req.valid('json').student_id,
        ),
        200,
      ),
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/teams/{id}/members/{student_id}',
      tags: teamTags,
      summary: 'Take a student out of a team',
      access: may('school.administer'),
      request: { params: s.TeamMemberParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { id, student_id } = c.req.valid('param')
      await service.removeTeamMember(deps, actorOf(c), id, student_id)
      return c.body(null, 204)
    },
  )
}
