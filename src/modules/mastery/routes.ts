import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import { MasterySchema, StudentParams } from './schemas.ts'
import * as service from './service.ts'

const actorOf = (c: Context<AppEnv>) => c.get('member')

export function masteryRoutes(deps: service.MasteryDeps) {
  const app = createRouter()
  const tags = ['Mastery']

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/mastery',
      tags,
      summary: 'My progress and mastery per course, and my skills with their levels (decay included)',
      access: 'member',
      responses: {
        200: { description: 'Mastery', ...json(MasterySchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await service.myMastery(deps, actorOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/students/{student_id}/mastery',
      tags,
      summary: "A student's progress, course mastery and skills, for staff of their school",
      access: may('school.read'),
      request: { params: StudentParams },
      responses: {
        200: { description: 'Mastery', ...json(MasterySchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.studentMastery(deps, actorOf(c), c.req.valid('param').student_id), 200),
  )

  return app
}
