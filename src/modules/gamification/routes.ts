import type { Context } from 'hono'
import type { MemberIdentity } from '../../core/http/access.ts'
import type { AppEnv } from '../../core/http/context.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import { SettingsPatchSchema, SettingsSchema } from './rules/settings.ts'
import * as service from './service.ts'

const ADMINS = ['owner', 'admin'] as const
const STAFF = ['owner', 'admin', 'instructor', 'support'] as const
const orgOf = (c: Context<AppEnv>) => (c.get('identity') as MemberIdentity).orgId

export function gamificationRoutes(deps: service.GamificationDeps) {
  const app = createRouter()
  const tags = ['Gamification']

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/gamification/settings',
      tags,
      summary: "The school's gamification rules: XP amounts, hearts, streaks",
      access: STAFF,
      responses: {
        200: { description: 'Settings', ...json(SettingsSchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await service.settingsOf(deps, orgOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/gamification/settings',
      tags,
      summary: 'Change some rules (new XP amounts apply from now on, or to everyone after a rebuild)',
      access: ADMINS,
      request: { body: { ...json(SettingsPatchSchema), required: true } },
      responses: {
        200: { description: 'The settings now', ...json(SettingsSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await service.updateSettings(deps, orgOf(c), c.req.valid('json')), 200),
  )

  return app
}
