import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { ErrorSchema, errorResponses, json, PaginationQuery } from '../../core/http/schemas.ts'
import * as pings from './pings.ts'
import * as quizzes from './quizzes.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'
import * as tally from './tally-hook.ts'

const actorOf = (c: Context<AppEnv>) => c.get('member')

export function trackingRoutes(deps: service.TrackingDeps) {
  const app = createRouter()
  const tags = ['Tracking']
  const recordVideoPings = pings.pingRecorder(deps)
  const receiveTally = tally.tallyReceiver(deps)

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/video-event',
      tags,
      summary: 'Record VIDEO_PING events: one, or an offline batch as { events: [...] }',
      description:
        'Pings are accepted for the current step only. The server decides what was watched: a ping that ' +
        'jumps ahead of what real time allows is stored and flagged but credits nothing. In a batch, each ' +
        'ping gets its own result.',
      access: may('courses.take'),
      request: { body: { ...json(s.VideoEventBody), required: true } },
      responses: {
        200: { description: 'Recorded', ...json(s.VideoEventResponse) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const pings = 'events' in body ? body.events : [body]
      return c.json(await recordVideoPings(actorOf(c), pings), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/quiz-submission',
      tags,
      summary: "Submit answers to the current step's quiz; graded on the server",
      description:
        'A failed attempt costs a heart. With no heart left the attempt is refused (409 `no_hearts`, ' +
        '`details.next_heart_at`) and nothing is stored; a resent event id still gets its first answer. ' +
        'A failed attempt tells which answers were right and gives the hints of the wrong ones, never the ' +
        'expected answers or explanations: those come with the passing attempt, unless the quiz says `never`.',
      access: may('courses.take'),
      request: { body: { ...json(s.QuizSubmissionBody), required: true } },
      responses: {
        200: { description: 'Graded', ...json(s.QuizResultSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await quizzes.submitQuiz(deps, actorOf(c), c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/step-ack',
      tags,
      summary: 'Mark the current reading step as read',
      access: may('courses.take'),
      request: { body: { ...json(s.StepAckBody), required: true } },
      responses: {
        200: { description: 'Acknowledged', ...json(s.StepProgressSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.acknowledgeStep(deps, actorOf(c), c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/tally-hook',
      tags,
      summary: 'Receive a Tally form response (webhook) as an attempt at the quiz of the step it answers',
      description:
        "Set this URL as the webhook of the Tally form, with the signing secret of the step's Tally " +
        'mapping: a request whose `Tally-Signature` (base64 HMAC-SHA256 of the raw body) does not match ' +
        'is refused (401): its body is not kept, only a short record for the schools that use the form ' +
        '(`GET /api/tally-rejections`). The form carries the student and the step in hidden fields and ' +
        'the score in a calculated field. A response that cannot be mapped is kept in the Tally inbox ' +
        "(when a step's secret signed it) and refused (422) so that Tally retries it once the mapping is " +
        'fixed; one the learning path refuses (not enrolled, step locked or completed) is kept and ' +
        "acknowledged (200, `refused`). Tally's eventId makes resending harmless.",
      access: 'public',
      request: {
        headers: z.object({
          'tally-signature': z
            .string()
            .optional()
            .openapi({ description: 'Base64 HMAC-SHA256 of the raw body with the signing secret' }),
        }),
        body: { ...json(s.TallyWebhookBody), required: true },
      },
      responses: {
        200: {
          description: 'Recorded, already recorded, refused by the path, or ignored',
          ...json(s.TallyHookResult),
        },
        ...errorResponses(400, 401, 409, 413),
        422: {
          description:
            "Cannot be mapped to a step and a student: kept in the Tally inbox when a step's secret signed it",
          ...json(ErrorSchema),
        },
      },
    }),
    async (c) => {
      // The validator parsed the body from this same cached text: the signature is checked on the raw
      // bytes Tally signed, never on a re-serialisation.
      const raw = await c.req.text()
      const signature = c.req.header('tally-signature')
      const source = c.get('clientIp')
      return c.json(await receiveTally({ raw, signature, body: c.req.valid('json'), source }), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/tally-inbox',
      tags,
      summary: 'Tally responses kept instead of recorded (unmappable, or refused by the path), newest first',
      access: may('school.administer'),
      request: { query: PaginationQuery },
      responses: {
        200: { description: 'Kept responses', ...json(z.array(s.TallyInboxItem)) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await tally.listTallyInbox(deps, actorOf(c), c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/tally-rejections',
      tags,
      summary: "Deliveries to the school's Tally forms refused for their signature, newest first",
      description:
        'What tells a wrong or missing signing secret apart: the form, the reason, the size and the start ' +
        'of the body (never all of it: anyone can send one). The 100 newest are kept, for 30 days.',
      access: may('school.administer'),
      request: { query: PaginationQuery },
      responses: {
        200: { description: 'Refused deliveries', ...json(z.array(s.TallyRejectionItem)) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await tally.listTallyRejections(deps, actorOf(c), c.req.valid('query')), 200),
  )

  return app
}
