import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { defineRoute } from '../../core/http/router.ts'
import { ErrorSchema, errorResponses, json } from '../../core/http/schemas.ts'
import { readAttachment, uploadAttachment } from './attachments.ts'
import { listReports, reportMessage } from './reports.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

/** Attachments, reports of messages to the school staff, and leaving a group conversation. */
export function registerMessagingExtras(app: OpenAPIHono<AppEnv>, deps: service.MessagingDeps) {
  const tags = ['Messaging']
  const access = may('messaging.use')
  const me = (c: Context<AppEnv>) => c.get('member')

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/conversations/{id}/attachments',
      tags,
      summary: 'Upload a file to attach to a message of this conversation (multipart: file)',
      description:
        'The answer names the file: send its `id` in `attachment_ids` when posting the message. Until then ' +
        'only the uploader sees it; once sent, every participant of the conversation downloads it. The type ' +
        'is judged from the content (PNG, JPEG, GIF, WebP, PDF, plain text, MP4 audio or video, zip, ' +
        'OpenDocument and Office files), at most 10 MB (or UPLOAD_MAX_BYTES if lower).',
      access,
      request: {
        params: s.IdParam,
        body: { content: { 'multipart/form-data': { schema: s.AttachmentUploadForm } }, required: false },
      },
      responses: {
        201: { description: 'Stored, not yet sent', ...json(s.AttachmentSchema) },
        415: { description: 'File type not accepted', ...json(ErrorSchema) },
        ...errorResponses(400, 401, 403, 404, 413),
      },
    }),
    async (c) => {
      const multipart = (c.req.header('content-type') ?? '').startsWith('multipart/form-data')
      const file = multipart ? c.req.valid('form').file : null
      return c.json(await uploadAttachment(deps, me(c), c.req.valid('param').id, file), 201)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/conversations/{id}/attachments/{attachment_id}',
      tags,
      summary: 'Download a file attached to a message of the conversation (its participants only)',
      access,
      request: { params: s.AttachmentParams },
      responses: {
        200: {
          description: 'The file, as a download',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const { id, attachment_id } = c.req.valid('param')
      const file = await readAttachment(deps, me(c), id, attachment_id)
      c.header('Content-Type', file.type)
      c.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      c.header('Content-Security-Policy', "default-src 'none'; sandbox")
      c.header('Cache-Control', 'private, no-store')
      return c.body(file.data as Uint8Array<ArrayBuffer>, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/conversations/{id}/messages/{message_id}/report',
      tags,
      summary: "Report another participant's message to the school staff (once per reporter and message)",
      description:
        'The owners and administrators are notified, and list the reports (`GET /api/message-reports`). ' +
        'Reporting the same message again answers the first report with 200.',
      access,
      request: { params: s.MessageParams, body: { ...json(s.ReportBody), required: true } },
      responses: {
        200: { description: 'Already reported by the caller', ...json(s.ReportSchema) },
        201: { description: 'Reported', ...json(s.ReportSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id, message_id } = c.req.valid('param')
      const { created, report } = await reportMessage(deps, me(c), id, message_id, c.req.valid('json').reason)
      return created ? c.json(report, 201) : c.json(report, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/message-reports',
      tags,
      summary: "The school's reported messages, newest first (owners and administrators)",
      access: may('messaging.moderate'),
      request: { query: s.PageQuery },
      responses: {
        200: { description: 'A page of reports', ...json(s.ReportPageSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await listReports(deps, me(c), c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/conversations/{id}/leave',
      tags,
      summary: 'Leave a group conversation: the caller reads and writes there no more',
      access,
      request: { params: s.IdParam },
      responses: { 204: { description: 'Left' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      await service.leaveConversation(deps, me(c), c.req.valid('param').id)
      return c.body(null, 204)
    },
  )
}
