import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { ErrorSchema, errorResponses, json } from '../../core/http/schemas.ts'
import { auditActor } from '../audit/index.ts'
import * as badges from './badges.ts'
import * as rewards from './rewards.ts'
import { SettingsPatchSchema, SettingsSchema } from './rules/settings.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'
import { latestXpRebuild, requestXpRebuild } from './xp-rebuild/rebuild.ts'

const actorOf = (c: Context<AppEnv>) => c.get('member')
const orgOf = (c: Context<AppEnv>) => actorOf(c).orgId

export function gamificationRoutes(deps: service.GamificationDeps) {
  const app = createRouter()
  const tags = ['Gamification']

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/gamification/settings',
      tags,
      summary: "The school's gamification rules: XP amounts, hearts, streaks",
      access: may('school.read'),
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
      access: may('school.administer'),
      request: { body: { ...json(SettingsPatchSchema), required: true } },
      responses: {
        200: { description: 'The settings now', ...json(SettingsSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) =>
      c.json(await service.updateSettings(deps, orgOf(c), c.req.valid('json'), auditActor(actorOf(c))), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/gamification/xp-rebuild',
      tags,
      summary: "The school's latest XP rebuild and its progress (null before the first)",
      access: may('school.administer'),
      responses: {
        200: { description: 'The latest rebuild', ...json(s.XpRebuildStatusSchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await latestXpRebuild(deps, orgOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/gamification/xp-rebuild',
      tags,
      summary: "Pay the school's past activity again at the current XP amounts, in the background",
      description:
        "Rewrites the school's XP ledger, scores, weekly scores and leaderboards from its activity at the " +
        'current amounts, while new activity goes on being counted. 202 with the queued run; 200 with the ' +
        'run already queued or running, if any (one at a time per school; 409 `rebuild_in_progress` when two requests cross). Poll `GET` for its progress. ' +
        '503 `jobs_unavailable` when this server runs no background jobs.',
      access: may('school.administer'),
      responses: {
        202: { description: 'The rebuild, queued', ...json(s.XpRebuildStartedSchema) },
        200: { description: 'The rebuild already queued or running', ...json(s.XpRebuildStartedSchema) },
        ...errorResponses(401, 403, 409),
        503: { description: 'No background jobs on this server', ...json(ErrorSchema) },
      },
    }),
    async (c) => {
      const result = await requestXpRebuild(deps, orgOf(c), auditActor(actorOf(c)))
      return result.started ? c.json(result, 202) : c.json(result, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/gamification/badges',
      tags,
      summary: "The school's badges (students see the active ones); default badges are created on first use",
      access: 'member',
      responses: {
        200: { description: 'Badges', ...json(z.array(s.BadgeSchema)) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await badges.listBadges(deps, actorOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/gamification/badges',
      tags,
      summary: 'Create a badge; students who already meet its criteria get it at once',
      access: may('school.administer'),
      request: { body: { ...json(s.BadgeInputSchema), required: true } },
      responses: {
        201: { description: 'The badge', ...json(s.BadgeSchema) },
        ...errorResponses(400, 401, 403, 409),
      },
    }),
    async (c) => c.json(await badges.createBadge(deps, orgOf(c), c.req.valid('json')), 201),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/gamification/badges/{id}',
      tags,
      summary:
        'Change a badge; active=false stops awarding it. Criteria change only while nobody holds it (409 badge_awarded)',
      access: may('school.administer'),
      request: { params: s.BadgeParams, body: { ...json(s.BadgePatchSchema), required: true } },
      responses: {
        200: { description: 'The badge', ...json(s.BadgeSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(await badges.updateBadge(deps, orgOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/badges',
      tags,
      summary: "The caller's badges: earned ones, and the others with progress towards them",
      access: may('learner.self'),
      responses: {
        200: { description: 'Badges', ...json(s.MyBadgesSchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await badges.myBadges(deps, actorOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/rewards',
      tags,
      summary: "The XP, level-ups and badges the caller's activity brought since a cursor",
      description:
        'For celebrating rewards as they come: call it once for a cursor, then after each event with ' +
        '`after` set to the last cursor. Each XP entry and badge is listed once, when both reactors have ' +
        'applied the signal that caused it, in the order they happened. Badges given when an admin creates ' +
        'or reactivates one are not listed (no activity of the student caused them).',
      access: may('learner.self'),
      request: { query: s.RewardsQuerySchema },
      responses: {
        200: { description: 'Rewards', ...json(s.RewardsSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { after } = c.req.valid('query')
      return c.json(
        await rewards.rewardsSince(deps, actorOf(c), after === undefined ? undefined : Number(after)),
        200,
      )
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/leaderboard',
      tags,
      summary: "The school's (or a team's) leaderboard, all time or this week, with the caller's own row",
      access: 'member',
      request: { query: s.LeaderboardQuerySchema },
      responses: {
        200: { description: 'Leaderboard', ...json(s.LeaderboardSchema) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await service.leaderboard(deps, actorOf(c), c.req.valid('query')), 200),
  )

  return app
}
