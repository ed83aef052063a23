import { type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json } from '../../../core/http/schemas.ts'
import type { IdentityDeps } from '../deps.ts'
import { memberOf, withCookies } from '../route-access.ts'
import * as s from '../schemas.ts'
import * as sessions from '../sessions/service.ts'
import { invitationView } from './presenters.ts'
import * as service from './service.ts'

/** Invitations: send, list and revoke them; preview and accept one from its link. */
export function registerInvitationRoutes(app: OpenAPIHono<AppEnv>, deps: IdentityDeps) {
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/invitations',
      tags: ['Invitations'],
      summary: 'Pending invitations of the active organisation',
      access: may('school.administer'),
      responses: {
        200: { description: 'Invitations', ...json(z.object({ data: z.array(s.InvitationSchema) })) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const rows = await service.listInvitations(deps, memberOf(c).orgId)
      return c.json({ data: rows.map(invitationView) }, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/invitations',
      tags: ['Invitations'],
      summary: 'Invite someone by e-mail; the answer carries the single-use link',
      access: may('school.administer'),
      request: { body: { ...json(s.CreateInvitationBody), required: true } },
      responses: {
        201: { description: 'Invited', ...json(s.CreatedInvitationSchema) },
        ...errorResponses(400, 401, 403, 409),
      },
    }),
    async (c) => {
      const me = memberOf(c)
      const invitation = await service.inviteMember(deps, me.orgId, me, me.userId, c.req.valid('json'))
      return c.json({ ...invitationView(invitation), url: invitation.url }, 201)
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/invitations/{id}',
      tags: ['Invitations'],
      summary: 'Revoke a pending invitation',
      access: may('school.administer'),
      request: { params: s.InvitationParams },
      responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const me = memberOf(c)
      await service.revokeInvitation(deps, me.orgId, me, c.req.valid('param').id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/invitations/preview',
      tags: ['Invitations'],
      summary: 'What an invitation link is for (organisation, e-mail, role)',
      access: 'public',
      request: { body: { ...json(s.InvitationTokenBody), required: true } },
      responses: {
        200: { description: 'Invitation', ...json(s.InvitationPreviewSchema) },
        ...errorResponses(400, 404, 409),
      },
    }),
    async (c) =>
      c.json(await service.previewInvitation(deps, c.req.valid('json').token, c.get('identity')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/invitations/accept',
      tags: ['Invitations'],
      summary:
        'Accept an invitation: create the account (name, password) or join with your signed-in account',
      description:
        'When an account already uses the invited address, its owner accepts while signed in with it: ' +
        'otherwise 401 `sign_in_required`, or 403 `invitation_for_another_account` when signed in as ' +
        'someone else. A new password is refused with 400 `weak_password` (zxcvbn feedback in details).',
      access: 'public',
      request: { body: { ...json(s.AcceptInvitationBody), required: true } },
      responses: {
        200: { description: 'Joined', ...json(s.AcceptedInvitationSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const caller = c.get('identity')
      const accepted = await service.acceptInvitation(deps, body.token, caller, body)
      let signedIn = !accepted.accountCreated && caller?.via === 'session'
      if (accepted.accountCreated && body.password) {
        const session = await sessions.signInCreatedAccount(deps, c, {
          email: accepted.email,
          password: body.password,
        })
        if (session) withCookies(c, session.setCookies)
        signedIn = session !== null
      }
      return c.json(
        {
          organisation: { id: accepted.org.id, name: accepted.org.name, slug: accepted.org.slug },
          user_id: accepted.userId,
          role: accepted.role,
          account_created: accepted.accountCreated,
          signed_in: signedIn,
        },
        200,
      )
    },
  )
}
