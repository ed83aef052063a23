import { z } from '@hono/zod-openapi'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { AppError, notFound } from '../../core/http/errors.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses } from '../../core/http/schemas.ts'
import { auditActor, recordAudit } from '../audit/index.ts'
import type { SchoolArchivePort } from './index.ts'

export type SchoolTransferDeps = { db: Db; clock: Clock; archive: SchoolArchivePort | null }

const SchoolParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: '0b6c2d8e-3f4a-4b5c-9d7e-1f2a3b4c5d6e' }),
})

export function schoolTransferRoutes(deps: SchoolTransferDeps) {
  const app = createRouter()
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/organisations/{id}/export',
      tags: ['Organisations'],
      summary: 'The whole school as one archive, to move it to another Sillon instance',
      description:
        'A tar.gz (format `sillon-school`): every course with its steps, quizzes, captions and handouts ' +
        '(with their files), teams, members and their accounts (with password hashes, without sessions), ' +
        'enrolments, the event and signal logs, progress, gamification, mastery and settings, with a ' +
        'manifest of sizes and SHA-256 hashes. API tokens and webhooks stay behind. A platform operator ' +
        'imports it with `sillon school import <file>`. Recorded in the audit log.',
      access: may('school.export'),
      request: { params: SchoolParams },
      responses: {
        200: {
          description: 'The archive',
          content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } },
        },
        ...errorResponses(401, 403, 404, 409),
      },
    }),
    async (c) => {
      const member = c.get('member')
      if (c.req.valid('param').id !== member.orgId) throw notFound('School')
      if (!deps.archive)
        throw new AppError(409, 'export_unavailable', 'This server cannot write school archives')
      const { body, size, slug } = await deps.archive.write(member.orgId)
      await recordAudit(deps, {
        orgId: member.orgId,
        actor: auditActor(member),
        action: 'school.exported',
        target: { type: 'school', id: member.orgId, label: slug },
        details: { bytes: size },
      })
      c.header('Content-Type', 'application/gzip')
      c.header('Content-Length', String(size))
      c.header('Content-Disposition', `attachment; filename="${slug}.sillon-school.tar.gz"`)
      c.header('Cache-Control', 'private, no-store')
      return c.body(body, 200)
    },
  )
  return app
}
