import type { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import type { AuditFilter, AuditScope } from './repository.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** A UTC day as the instant it starts, or the next day's start for the end of a range. */
function instant(value: string | undefined, end: boolean): string | undefined {
  if (!value) return undefined
  if (value.length > 10) return new Date(value).toISOString()
  const day = new Date(`${value}T00:00:00.000Z`)
  if (end) day.setUTCDate(day.getUTCDate() + 1)
  return day.toISOString()
}

function filterOf(query: z.infer<typeof s.AuditFilterQuery>): AuditFilter {
  return { ...query, from: instant(query.from, false), to: instant(query.to, true) }
}

function platformScope(orgId: string | undefined): AuditScope {
  if (orgId === undefined) return 'platform-wide'
  return { orgId: orgId === 'platform' ? null : orgId }
}

function sendCsv(c: Context<AppEnv>, csv: string) {
  c.header('Content-Type', 'text/csv; charset=utf-8')
  c.header('Content-Disposition', 'attachment; filename="audit-log.csv"')
  c.header('Cache-Control', 'private, no-store')
  return c.body(csv, 200)
}

const csvResponse = {
  description: 'The entries',
  content: { 'text/csv': { schema: { type: 'string' as const } } },
}

const csvDescription =
  'Every matching entry, newest first: UTF-8 with a byte order mark (for Excel), comma-separated, quoted ' +
  'as RFC 4180; details as JSON.'

export function auditRoutes(deps: service.AuditDeps) {
  const app = createRouter()
  const tags = ['Audit log']
  const orgOf = (c: Context<AppEnv>) => ({ orgId: c.get('member').orgId })

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/audit',
      tags,
      summary: "The school's audit log, newest first, by page of 25",
      description:
        'Administrative actions (role changes, removals, tokens, invitations, publishing, archiving, ' +
        'exports and imports, gamification settings, erasures…) with who did them, when and from where.',
      access: may('school.audit'),
      request: { query: s.AuditListQuery },
      responses: {
        200: { description: 'Entries', ...json(s.AuditPageSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, offset, ...filter } = c.req.valid('query')
      return c.json(await service.listAudit(deps, orgOf(c), { ...filterOf(filter), limit, offset }), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/audit.csv',
      tags,
      summary: "The school's audit log as CSV, with the list's filters",
      description: csvDescription,
      access: may('school.audit'),
      request: { query: s.AuditFilterQuery },
      responses: { 200: csvResponse, ...errorResponses(400, 401, 403) },
    }),
    async (c) => sendCsv(c, await service.auditCsv(deps, orgOf(c), filterOf(c.req.valid('query')))),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/platform/audit',
      tags,
      summary: "Any school's audit log, or the platform's own entries, for platform administrators",
      access: 'superadmin',
      request: { query: s.PlatformAuditListQuery },
      responses: {
        200: { description: 'Entries', ...json(s.AuditPageSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, offset, org_id, ...filter } = c.req.valid('query')
      const page = { ...filterOf(filter), limit, offset }
      return c.json(await service.listAudit(deps, platformScope(org_id), page), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/platform/audit.csv',
      tags,
      summary: "Any school's audit log, or the platform's own entries, as CSV",
      description: csvDescription,
      access: 'superadmin',
      request: { query: s.PlatformAuditFilterQuery },
      responses: { 200: csvResponse, ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const { org_id, ...filter } = c.req.valid('query')
      return sendCsv(c, await service.auditCsv(deps, platformScope(org_id), filterOf(filter)))
    },
  )

  return app
}
