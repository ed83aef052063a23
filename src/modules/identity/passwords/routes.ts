import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { errorResponses, json } from '../../../core/http/schemas.ts'
import type { IdentityDeps } from '../deps.ts'
import * as s from '../schemas.ts'
import * as service from './service.ts'

/** Forgotten passwords: ask for a reset link by e-mail, then choose a new password with it. */
export function registerPasswordRoutes(app: OpenAPIHono<AppEnv>, deps: IdentityDeps) {
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/password/forgot',
      operationId: 'requestPasswordReset',
      tags: ['Sessions'],
      summary: 'Ask for a password reset link by e-mail',
      description:
        'Answers 202 whether or not an account uses the address: only its mailbox learns it, by receiving ' +
        'a single-use link that works for an hour. An account receives at most 3 such e-mails in 15 minutes ' +
        '(more requests are answered the same and send nothing); one client address may ask 20 times a ' +
        'minute (429).',
      access: 'public',
      request: { body: { ...json(s.ForgotPasswordBody), required: true } },
      responses: {
        202: { description: 'If an account uses this address, its reset link is on its way' },
        ...errorResponses(400, 429),
      },
    }),
    async (c) => {
      await service.requestPasswordReset(deps, c, c.req.valid('json').email)
      return c.body(null, 202)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/password/reset',
      operationId: 'resetPassword',
      tags: ['Sessions'],
      summary: 'Choose a new password with the token of a reset link (signs every session out)',
      description:
        'A token works once, for an hour: otherwise 400 `reset_link_invalid`. A weak password is refused ' +
        'with 400 `weak_password` (the token stays usable). The account then signs in with the new password; ' +
        'a confirmation is e-mailed to it.',
      access: 'public',
      request: { body: { ...json(s.ResetPasswordBody), required: true } },
      responses: { 204: { description: 'Password changed' }, ...errorResponses(400, 429) },
    }),
    async (c) => {
      await service.resetPassword(deps, c, c.req.valid('json'))
      return c.body(null, 204)
    },
  )
}
