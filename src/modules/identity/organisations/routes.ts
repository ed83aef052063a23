import { type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json } from '../../../core/http/schemas.ts'
import type { IdentityDeps } from '../deps.ts'
import { memberOf } from '../route-access.ts'
import * as s from '../schemas.ts'
import { organisationView } from './presenters.ts'
import * as service from './service.ts'

/** The active organisation, and the platform's list of organisations. */
export function registerOrganisationRoutes(app: OpenAPIHono<AppEnv>, deps: IdentityDeps) {
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/organisation',
      tags: ['Organisations'],
      summary: 'The active organisation',
      access: 'member',
      responses: {
        200: { description: 'Organisation', ...json(s.OrganisationSchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(organisationView(await service.getOrganisation(deps, memberOf(c).orgId)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/organisation',
      tags: ['Organisations'],
      summary:
        "Change the active organisation's name, default language, time zone, the days after which the " +
        'course reports count an unfinished course as abandoned, or whether students may write to one another',
      access: may('school.administer'),
      request: { body: { ...json(s.UpdateOrganisationBody), required: true } },
      responses: {
        200: { description: 'Updated', ...json(s.OrganisationSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) =>
      c.json(
        organisationView(await service.updateOrganisation(deps, memberOf(c).orgId, c.req.valid('json'))),
        200,
      ),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/admin/organisations',
      tags: ['Platform'],
      summary: 'Every organisation on this platform',
      access: 'superadmin',
      responses: {
        200: { description: 'Organisations', ...json(z.object({ data: z.array(s.OrganisationSchema) })) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json({ data: (await service.listOrganisations(deps)).map(organisationView) }, 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/admin/organisations',
      tags: ['Platform'],
      summary: 'Create an organisation (a school)',
      access: 'superadmin',
      request: { body: { ...json(s.CreateOrganisationBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.OrganisationSchema) },
        ...errorResponses(400, 401, 403, 409),
      },
    }),
    async (c) => c.json(organisationView(await service.createOrganisation(deps, c.req.valid('json'))), 201),
  )
}
