import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

const actorOf = (c: Context<AppEnv>) => c.get('member')

export function progressRoutes(deps: service.LearnerDeps) {
  const app = createRouter()
  const tags = ['Learner']

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/courses/{course_id}',
      tags,
      summary: 'A course as the student takes it: step states, the current step only, the handout',
      access: may('learner.self'),
      request: { params: s.StudentCourseParams },
      responses: {
        200: { description: 'The course', ...json(s.StudentCourseSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) =>
      c.json(await service.courseForStudent(deps, actorOf(c), c.req.valid('param').course_id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/learner',
      tags,
      summary: "A learner's courses with progress, current step and quiz scores (the learner or staff)",
      access: 'member',
      request: { query: s.LearnerQuery },
      responses: {
        200: { description: 'The learner', ...json(s.LearnerSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.learnerFor(deps, actorOf(c), c.req.valid('query').userId), 200),
  )

  return app
}
