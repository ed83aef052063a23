import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import { retentionOf, setRetention } from './retention.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

const tags = ['Personal data']

/** A download rather than a page: the browser saves the file under a name that says whose and when. */
function attachment(c: Context<AppEnv>, deps: service.PrivacyDeps, name: string) {
  const day = deps.clock.now().toISOString().slice(0, 10)
  c.header('Content-Disposition', `attachment; filename="${name}-${day}.json"`)
}

/** The summary page, shown in a tab: no script and no outside resource may run in it, whatever the data holds. */
function summaryPage(c: Context<AppEnv>, html: string) {
  c.header('Content-Type', 'text/html; charset=utf-8')
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
  return c.body(html, 200)
}

const htmlResponse = {
  description: 'The same data as a readable, self-contained HTML page (to open, print or save as PDF)',
  content: { 'text/html': { schema: { type: 'string' as const } } },
}

/** The GDPR requests: a member's own data, and an administrator's access and erasure for a member. */
export function privacyRoutes(deps: service.PrivacyDeps) {
  const app = createRouter()

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/data',
      tags,
      summary: 'Download everything this school holds about me (right of access), as JSON',
      access: may('privacy.own'),
      responses: {
        200: { description: 'My personal data in this school', ...json(s.PersonalDataSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const me = c.get('member')
      attachment(c, deps, 'my-data')
      return c.json(await service.exportPersonalData(deps, me.orgId, me, me.userId), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/members/{user_id}/data',
      tags,
      summary: "A member's personal data in this school (an access request made to the school), as JSON",
      description: 'Recorded in the audit log. A former member whose profile the school keeps is found too.',
      access: may('privacy.administer'),
      request: { params: s.MemberDataParams },
      responses: {
        200: { description: "The member's personal data", ...json(s.PersonalDataSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const me = c.get('member')
      const userId = c.req.valid('param').user_id
      attachment(c, deps, `member-${userId}-data`)
      return c.json(await service.exportPersonalData(deps, me.orgId, me, userId), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/data.html',
      tags,
      summary: 'Everything this school holds about me, as a readable page',
      access: may('privacy.own'),
      responses: { 200: htmlResponse, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const me = c.get('member')
      return summaryPage(c, await service.personalDataSummary(deps, me.orgId, me, me.userId))
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/members/{user_id}/data.html',
      tags,
      summary: "A member's personal data in this school, as a readable page",
      access: may('privacy.administer'),
      request: { params: s.MemberDataParams },
      responses: { 200: htmlResponse, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const me = c.get('member')
      const userId = c.req.valid('param').user_id
      return summaryPage(c, await service.personalDataSummary(deps, me.orgId, me, userId))
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/members/{user_id}/erase',
      tags,
      summary: 'Erase a member from the school (right to erasure): cannot be undone',
      description:
        'In one transaction: the membership, tokens and invitations go; the profile, enrolments, progress, ' +
        'XP, badges, mastery and the learning events stay under a new random id, without name, e-mail or ' +
        'quiz answers; the account is deleted unless another school has it. Refused with 409 `last_owner` for ' +
        "the school's last owner, 403 for an owner unless the caller is one, 400 `confirmation_mismatch` " +
        "when `confirm_email` is not the member's e-mail.",
      access: may('privacy.administer'),
      request: { params: s.MemberDataParams, body: { ...json(s.EraseMemberBody), required: true } },
      responses: {
        200: { description: 'Erased', ...json(s.ErasureSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const me = c.get('member')
      const { user_id } = c.req.valid('param')
      const { confirm_email } = c.req.valid('json')
      return c.json(await service.erasePerson(deps, me.orgId, me, user_id, confirm_email), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/privacy/settings',
      tags,
      summary: 'How long the school keeps the personal data of members who left',
      access: may('privacy.administer'),
      responses: {
        200: { description: 'The retention setting', ...json(s.RetentionSchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await retentionOf(deps, c.get('member').orgId), 200),
  )

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/api/privacy/settings',
      tags,
      summary: 'Set how long the school keeps the personal data of members who left',
      description:
        'A member who left (removed from the school, their profile kept) is erased by the nightly ' +
        '`privacy.retention` job once `retention_days` have passed since the job first saw them gone. ' +
        'Recorded in the audit log.',
      access: may('privacy.administer'),
      request: { body: { ...json(s.RetentionSchema), required: true } },
      responses: {
        200: { description: 'The retention setting', ...json(s.RetentionSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const me = c.get('member')
      return c.json(await setRetention(deps, me.orgId, me, c.req.valid('json').retention_days), 200)
    },
  )

  return app
}
