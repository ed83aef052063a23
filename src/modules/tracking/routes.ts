import type { Context } from 'hono'
import type { MemberIdentity } from '../../core/http/access.ts'
import type { AppEnv } from '../../core/http/context.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

const LEARNERS = ['student', 'owner', 'admin', 'instructor'] as const
const actorOf = (c: Context<AppEnv>) => c.get('identity') as MemberIdentity

export function trackingRoutes(deps: service.TrackingDeps) {
  const app = createRouter()
  const tags = ['Tracking']

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
      access: LEARNERS,
      request: { body: { ...json(s.VideoEventBody), required: true } },
      responses: {
        200: { description: 'Recorded', ...json(s.VideoEventResponse) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const pings = 'events' in body ? body.events : [body]
      return c.json(await service.recordVideoPings(deps, actorOf(c), pings), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/quiz-submission',
      tags,
      summary: "Submit answers to the current step's quiz; graded on the server",
      access: LEARNERS,
      request: { body: { ...json(s.QuizSubmissionBody), required: true } },
      responses: {
        200: { description: 'Graded', ...json(s.QuizResultSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.submitQuiz(deps, actorOf(c), c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/step-ack',
      tags,
      summary: 'Mark the current reading step as read',
      access: LEARNERS,
      request: { body: { ...json(s.StepAckBody), required: true } },
      responses: {
        200: { description: 'Acknowledged', ...json(s.StepProgressSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.acknowledgeStep(deps, actorOf(c), c.req.valid('json')), 200),
  )

  return app
}
