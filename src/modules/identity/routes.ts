import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv, Identity } from '../../core/http/context.ts'
import { unauthorized } from '../../core/http/errors.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { ErrorSchema, errorResponses, json } from '../../core/http/schemas.ts'
import { importMembers, planImport } from './member-import.ts'
import * as pictures from './pictures.ts'
import type { PersonTable } from './repository.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'
import type { Role } from './tables.ts'

function identityOf(c: Context<AppEnv>): Identity {
  const identity = c.get('identity')
  if (!identity) throw unauthorized()
  return identity
}

/** The caller as a member of their active organisation, which the route's access rule set. */
const memberOf = (c: Context<AppEnv>) => c.get('member')

function withCookies(c: Context<AppEnv>, cookies: string[]) {
  for (const cookie of cookies) c.header('Set-Cookie', cookie, { append: true })
}

const tokenView = (t: {
  id: string
  name: string
  user_id: string
  user_email: string
  token_prefix: string
  expires_at: string | null
  last_used_at: string | null
  created_at: string
}) => ({
  id: t.id,
  name: t.name,
  user_id: t.user_id,
  user_email: t.user_email,
  prefix: t.token_prefix,
  expires_at: t.expires_at,
  last_used_at: t.last_used_at,
  created_at: t.created_at,
})

const invitationView = (i: {
  id: string
  email: string
  name: string | null
  role: Role
  class: { id: string; name: string } | null
  expires_at: string
  created_at: string
}) => ({
  id: i.id,
  email: i.email,
  name: i.name,
  role: i.role,
  class: i.class,
  expires_at: i.expires_at,
  created_at: i.created_at,
})

export function identityRoutes(deps: service.IdentityDeps) {
  const app = createRouter()

  // Sessions

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      operationId: 'signIn',
      tags: ['Sessions'],
      summary: 'Sign in with e-mail and password (sets the session cookie)',
      access: 'public',
      request: { body: { ...json(s.LoginBody), required: true } },
      responses: { 200: { description: 'Signed in', ...json(s.MeSchema) }, ...errorResponses(400, 401, 429) },
    }),
    async (c) => {
      const { identity, setCookies } = await service.login(deps, c, c.req.valid('json'))
      withCookies(c, setCookies)
      return c.json(await service.describeMe(deps, identity), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      operationId: 'signOut',
      tags: ['Sessions'],
      summary: 'End the browser session',
      access: 'authenticated',
      responses: { 204: { description: 'Signed out' }, ...errorResponses(401) },
    }),
    async (c) => {
      withCookies(c, await service.logout(deps, c))
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/auth/me',
      tags: ['Sessions'],
      summary: 'The caller, their active organisation, role and profiles',
      access: 'authenticated',
      responses: { 200: { description: 'The caller', ...json(s.MeSchema) }, ...errorResponses(401) },
    }),
    async (c) => c.json(await service.describeMe(deps, identityOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/auth/me',
      tags: ['Sessions'],
      summary: 'Change your name or interface language',
      access: 'authenticated',
      request: { body: { ...json(s.UpdateMeBody), required: true } },
      responses: { 200: { description: 'Updated', ...json(s.MeSchema) }, ...errorResponses(400, 401) },
    }),
    async (c) => c.json(await service.updateProfile(deps, identityOf(c), c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/password',
      operationId: 'changePassword',
      tags: ['Sessions'],
      summary: 'Change your password (signs out your other sessions unless told not to)',
      access: 'authenticated',
      request: { body: { ...json(s.ChangePasswordBody), required: true } },
      responses: { 204: { description: 'Changed' }, ...errorResponses(400, 401, 429) },
    }),
    async (c) => {
      withCookies(c, await service.changePassword(deps, c, identityOf(c), c.req.valid('json')))
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/me/picture',
      operationId: 'setMyPicture',
      tags: ['Sessions'],
      summary: 'Set your picture (multipart: file, a PNG, JPEG or WebP image of 2 MB or less)',
      description:
        'The type is judged by the first bytes of the file, not by what the client says: anything else is ' +
        'refused with 415 `unsupported_file_type`. The previous picture is deleted. The picture is served ' +
        'at `user.image` to the members of the schools the person belongs to.',
      access: 'authenticated',
      // Not "required": a request without the form is answered body_required, as the other uploads are.
      request: {
        body: { content: { 'multipart/form-data': { schema: s.PictureUploadForm } }, required: false },
      },
      responses: {
        200: { description: 'Set', ...json(s.MeSchema) },
        415: { description: 'Not a PNG, JPEG or WebP image', ...json(ErrorSchema) },
        ...errorResponses(400, 401, 409, 413),
      },
    }),
    async (c) => {
      const multipart = (c.req.header('content-type') ?? '').startsWith('multipart/form-data')
      const form = multipart ? c.req.valid('form') : null
      return c.json(await pictures.setPicture(deps, identityOf(c), form?.file ?? null), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/auth/me/picture',
      operationId: 'removeMyPicture',
      tags: ['Sessions'],
      summary: 'Remove your picture (and its file)',
      access: 'authenticated',
      responses: { 200: { description: 'Removed', ...json(s.MeSchema) }, ...errorResponses(401, 409) },
    }),
    async (c) => c.json(await pictures.removePicture(deps, identityOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/users/{user_id}/picture/{picture_id}',
      operationId: 'getPicture',
      tags: ['Sessions'],
      summary: "A person's picture, for the members of a school they belong to",
      access: 'authenticated',
      request: { params: s.PictureParams },
      responses: {
        200: {
          description: 'The image',
          content: {
            'image/png': { schema: { type: 'string', format: 'binary' } },
            'image/jpeg': { schema: { type: 'string', format: 'binary' } },
            'image/webp': { schema: { type: 'string', format: 'binary' } },
          },
        },
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const { user_id, picture_id } = c.req.valid('param')
      const picture = await pictures.readPicture(deps, identityOf(c), user_id, picture_id)
      c.header('Content-Type', picture.type)
      c.header('X-Content-Type-Options', 'nosniff')
      c.header('Content-Security-Policy', "default-src 'none'; sandbox")
      // A new picture gets a new address, so this one never changes; only the browser keeps it.
      c.header('Cache-Control', 'private, max-age=31536000, immutable')
      return c.body(picture.data as Uint8Array<ArrayBuffer>, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/organisation',
      operationId: 'switchOrganisation',
      tags: ['Sessions'],
      summary: 'Switch the active organisation (members of several)',
      access: 'authenticated',
      request: { body: { ...json(s.SwitchOrganisationBody), required: true } },
      responses: { 200: { description: 'Switched', ...json(s.MeSchema) }, ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const switched = await service.switchOrganisation(deps, identityOf(c), c.req.valid('json').org_id)
      return c.json(await service.describeMe(deps, switched), 200)
    },
  )

  // The active organisation

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
    async (c) => c.json(await service.getOrganisation(deps, memberOf(c).orgId), 200),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/organisation',
      tags: ['Organisations'],
      summary:
        "Change the active organisation's name, default language, time zone or the days after which the " +
        'course reports count an unfinished course as abandoned',
      access: may('school.administer'),
      request: { body: { ...json(s.UpdateOrganisationBody), required: true } },
      responses: {
        200: { description: 'Updated', ...json(s.OrganisationSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await service.updateOrganisation(deps, memberOf(c).orgId, c.req.valid('json')), 200),
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
    async (c) => c.json({ data: await service.listOrganisations(deps) }, 200),
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
    async (c) => c.json(await service.createOrganisation(deps, c.req.valid('json')), 201),
  )

  // Members

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/members',
      tags: ['Members'],
      summary: 'Members of the active organisation',
      access: may('school.monitor'),
      request: { query: s.MemberListQuery },
      responses: {
        200: {
          description: 'Members',
          ...json(z.object({ data: z.array(s.MemberSchema), total: z.number().int() })),
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { rows, total } = await service.listMembers(deps, memberOf(c).orgId, c.req.valid('query'))
      return c.json({ data: rows, total }, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/members',
      tags: ['Members'],
      summary: 'Add a member: invites them, with the name to give their account if it is new',
      description:
        'Always answers with an invitation and its single-use link, whether or not the address has an ' +
        'account in another school: an existing account joins only when its owner accepts the link while ' +
        'signed in, and a new one is created by the person, who chooses their password. ' +
        'An address that is already a member of this school is refused with 409 `already_member`.',
      access: may('school.administer'),
      request: { body: { ...json(s.CreateMemberBody), required: true } },
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
      method: 'post',
      path: '/api/members/import/preview',
      tags: ['Members'],
      summary: 'Check a CSV of people to invite (name, email, role, class) without writing anything',
      description:
        'Answers every row with its problems: `name_missing`, `email_invalid`, `role_unknown`, ' +
        '`role_not_allowed` (owner, for an admin), `class_unknown` (unless create_classes), ' +
        '`class_for_students_only`, `duplicate_in_file`, `already_member`. A file without the name and ' +
        'email columns is refused with 400 `csv_columns_missing`.',
      access: may('school.administer'),
      request: { body: { ...json(s.ImportMembersBody), required: true } },
      responses: {
        200: { description: 'What the import would do', ...json(s.ImportPlanSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const me = memberOf(c)
      return c.json(await planImport(deps, me.orgId, me, c.req.valid('json')), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/members/import',
      tags: ['Members'],
      summary: 'Invite everyone of a CSV, each student into their class, all or nothing',
      description:
        'Creates one invitation per row (with its single-use link, shown only in this answer) and, with ' +
        'create_classes, the classes the school lacks, in one transaction. If any row has a problem (see ' +
        'the preview), nothing is written: 400 `import_invalid` with the faulty rows in details.rows.',
      access: may('school.administer'),
      request: { body: { ...json(s.ImportMembersBody), required: true } },
      responses: {
        201: { description: 'Invited', ...json(s.ImportedMembersSchema) },
        ...errorResponses(400, 401, 403, 409),
      },
    }),
    async (c) => {
      const me = memberOf(c)
      const imported = await importMembers(deps, me.orgId, me, me.userId, c.req.valid('json'))
      return c.json(
        {
          invitations: imported.invitations.map((i) => ({ ...invitationView(i), url: i.url })),
          created_classes: imported.created_classes,
        },
        201,
      )
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/members/{user_id}',
      tags: ['Members'],
      summary: 'One member',
      access: may('school.monitor'),
      request: { params: s.MemberParams },
      responses: {
        200: { description: 'Member', ...json(s.MemberSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.getMember(deps, memberOf(c).orgId, c.req.valid('param').user_id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/members/{user_id}',
      tags: ['Members'],
      summary: "Change a member's role",
      access: may('school.administer'),
      request: { params: s.MemberParams, body: { ...json(s.UpdateMemberBody), required: true } },
      responses: {
        200: { description: 'Updated', ...json(s.MemberSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const me = memberOf(c)
      const member = await service.changeMemberRole(
        deps,
        me.orgId,
        me,
        c.req.valid('param').user_id,
        c.req.valid('json').role,
      )
      return c.json(member, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/members/{user_id}',
      tags: ['Members'],
      summary: 'Remove a member (their account and learning history remain)',
      access: may('school.administer'),
      request: { params: s.MemberParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const me = memberOf(c)
      await service.removeMember(deps, me.orgId, me, c.req.valid('param').user_id)
      return c.body(null, 204)
    },
  )

  // Invitations

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
        const session = await service.signInCreatedAccount(deps, c, {
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

  // API tokens

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/tokens',
      tags: ['API tokens'],
      summary:
        'Your API tokens in the active organisation (owners and admins: every token with all=true), by page',
      access: 'member',
      request: { query: s.ApiTokenListQuery },
      responses: {
        200: {
          description: 'Tokens, newest first',
          ...json(z.object({ data: z.array(s.ApiTokenSchema), total: z.number().int() })),
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const me = memberOf(c)
      const { rows, total } = await service.listApiTokens(deps, me.orgId, me, c.req.valid('query'))
      return c.json({ data: rows.map(tokenView), total }, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/tokens',
      tags: ['API tokens'],
      summary: 'Create an API token for yourself in the active organisation (shown once)',
      access: 'member',
      request: { body: { ...json(s.CreateApiTokenBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.CreatedApiTokenSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const me = memberOf(c)
      const created = await service.createApiToken(deps, me.orgId, me.userId, c.req.valid('json'))
      return c.json({ ...tokenView(created), token: created.token }, 201)
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/tokens/{id}',
      tags: ['API tokens'],
      summary: 'Revoke an API token',
      access: 'member',
      request: { params: s.ApiTokenParams },
      responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const me = memberOf(c)
      await service.revokeApiToken(deps, me.orgId, me, c.req.valid('param').id)
      return c.body(null, 204)
    },
  )

  // Unified.to LMS people

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

  return app
}
