import { type OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { may } from '../../../core/http/policies.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json } from '../../../core/http/schemas.ts'
import type { IdentityDeps } from '../deps.ts'
import { invitationView } from '../invitations/presenters.ts'
import * as invitations from '../invitations/service.ts'
import { importMembers, planImport } from '../member-import.ts'
import { memberOf } from '../route-access.ts'
import * as s from '../schemas.ts'
import * as service from './service.ts'

/** Members of the school: list, add (by invitation), import, change their role, remove. */
export function registerMemberRoutes(app: OpenAPIHono<AppEnv>, deps: IdentityDeps) {
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
      const invitation = await invitations.inviteMember(deps, me.orgId, me, me.userId, c.req.valid('json'))
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
}
