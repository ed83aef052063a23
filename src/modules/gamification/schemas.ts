import { z } from '@hono/zod-openapi'
import { BadgeCriteriaSchema } from './rules/badge-criteria.ts'

const LevelSchema = z
  .object({
    level: z.number().int(),
    xp: z.number().int(),
    level_start_xp: z.number().int(),
    next_level_xp: z.number().int(),
  })
  .openapi('Level')

// Badges

export const BadgeSchema = z
  .object({
    id: z.string().openapi({ example: 'org_123:first_video' }),
    code: z.string(),
    key: z.string().nullable().openapi({
      description:
        "A default badge's translation key: show its name and description in the reader's language. Null for the school's own badges and renamed defaults: show `name`",
      example: 'first_video',
    }),
    name: z.string(),
    description: z.string().nullable(),
    icon: z.string().nullable(),
    criteria: BadgeCriteriaSchema,
    points_reward: z.number().int(),
    active: z.boolean(),
    awarded_count: z.number().int().openapi({ description: 'How many students hold it' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Badge')

const badgeFields = {
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(500).nullable().optional(),
  icon: z.string().trim().max(64).nullable().optional().openapi({
    description: "An icon name of the web app's set (trophy, flame, star, medal, rocket…) or an emoji",
  }),
  criteria: BadgeCriteriaSchema,
  points_reward: z.number().int().min(0).max(10_000).openapi({ description: 'XP given with the badge' }),
  active: z.boolean().optional(),
}

export const BadgeInputSchema = z
  .strictObject({
    code: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and -, 63 at most')
      .openapi({ example: 'night_owl' }),
    ...badgeFields,
  })
  .openapi('BadgeInput', {
    example: {
      code: 'marathon',
      name: 'Marathon',
      criteria: { all: [{ count: { signal: 'VIDEO_COMPLETED' }, gte: 10 }, { streak: { gte: 3 } }] },
      points_reward: 40,
    },
  })
export type BadgeInput = z.infer<typeof BadgeInputSchema>

export const BadgePatchSchema = z
  .strictObject({
    ...badgeFields,
    name: badgeFields.name.optional(),
    criteria: badgeFields.criteria.optional(),
    points_reward: badgeFields.points_reward.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'Give at least one field to change' })
  .openapi('BadgePatch', { example: { active: false } })
export type BadgePatch = z.infer<typeof BadgePatchSchema>

export const BadgeParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'org_123:first_video' }),
})

const ProgressSchema = z.object({ current: z.number().int(), target: z.number().int() })

export const MyBadgesSchema = z
  .object({
    earned: z.array(
      z.object({
        badge_id: z.string(),
        code: z.string(),
        key: z.string().nullable().openapi({ description: 'As Badge.key' }),
        name: z.string(),
        description: z.string().nullable(),
        icon: z.string().nullable(),
        awarded_at: z.string(),
        points: z.number().int(),
      }),
    ),
    not_earned: z.array(
      z.object({
        badge_id: z.string(),
        code: z.string(),
        key: z.string().nullable().openapi({ description: 'As Badge.key' }),
        name: z.string(),
        description: z.string().nullable(),
        icon: z.string().nullable(),
        points_reward: z.number().int(),
        progress: ProgressSchema.nullable().openapi({
          description: 'Towards a single threshold; null for all/any',
        }),
      }),
    ),
  })
  .openapi('MyBadges')

// Leaderboards

export const LeaderboardQuerySchema = z.object({
  teamId: z.string().min(1).optional().openapi({ description: 'Rank the students of this team only' }),
  period: z.enum(['all', 'week']).default('all').openapi({
    description: "week: XP earned since Monday 00:00 in the school's time zone",
  }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  after: z
    .string()
    .regex(/^\d{1,15}:.+$/, 'expected <points>:<student id>')
    .optional()
    .openapi({
      description:
        "Continue after this row: the previous page's `next_after`. Reads no skipped rows, however deep; not with `offset`",
      example: '120:0b7c2f1e-5d3a-4c8e-9f10-2a6b8d4e1c35',
    }),
})
export type LeaderboardQuery = z.infer<typeof LeaderboardQuerySchema>

const LeaderboardRowSchema = z
  .object({
    rank: z.number().int().openapi({ description: 'Competition rank: ties share it (1, 1, 3)' }),
    student_id: z.string(),
    name: z.string().nullable(),
    total_points: z.number().int(),
    badges_count: z.number().int(),
  })
  .openapi('LeaderboardRow')

export const LeaderboardSchema = z
  .object({
    period: z.enum(['all', 'week']),
    team_id: z.string().nullable(),
    since: z.string().nullable().openapi({ description: 'Start of the week counted (week only)' }),
    total: z.number().int().openapi({ description: 'How many students are ranked' }),
    limit: z.number().int(),
    offset: z.number().int(),
    next_after: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `after` for the next page; null when this page is not full' }),
    rows: z.array(LeaderboardRowSchema),
    me: LeaderboardRowSchema.nullable().openapi({ description: "The caller's own row, when a student" }),
  })
  .openapi('Leaderboard')

// Rewards as they happen

export const RewardsQuerySchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'expected the cursor of a previous answer')
    .optional()
    .openapi({
      description: 'The `cursor` of the previous answer; without it nothing is new and the answer gives one',
      example: '1042',
    }),
})

export const EarnedBadgeSchema = z
  .object({
    badge_id: z.string(),
    code: z.string(),
    key: z.string().nullable().openapi({ description: 'As Badge.key' }),
    name: z.string(),
    description: z.string().nullable(),
    icon: z.string().nullable(),
    awarded_at: z.string(),
    points: z.number().int().openapi({ description: 'XP given with the badge' }),
  })
  .openapi('EarnedBadge')

export const RewardsSchema = z
  .object({
    cursor: z.string().openapi({ description: 'Pass as `after` to get what comes next' }),
    xp_gained: z.number().int().openapi({ description: 'The sum of `entries`' }),
    level_before: z.number().int().openapi({ description: 'The level before these rewards' }),
    xp: z.object({ total: z.number().int(), level: LevelSchema }).openapi({
      description: 'XP and level with these rewards',
    }),
    entries: z.array(
      z.object({
        id: z.string(),
        cause: z.enum([
          'video_completed',
          'quiz_passed',
          'perfect_quiz',
          'course_completed',
          'streak_day',
          'badge',
        ]),
        points: z.number().int(),
        occurred_at: z.string(),
        course_id: z.string().nullable(),
        class_id: z.string().nullable(),
      }),
    ),
    badges: z.array(EarnedBadgeSchema),
  })
  .openapi('Rewards')

// XP rebuilds (past activity paid again at the current amounts)

const XpRebuildSchema = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'done', 'failed']).openapi({
      description: 'queued, then running (with progress), then done or failed (tried again by itself)',
    }),
    processed: z.number().int().openapi({ description: "Signals of the school's activity rewritten so far" }),
    total: z.number().int().openapi({ description: 'Signals to rewrite: known once the run has started' }),
    requested_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    error: z.string().nullable(),
  })
  .openapi('XpRebuild', {
    example: {
      id: 'rb_01JEXAMPLE',
      status: 'running',
      processed: 1500,
      total: 4210,
      requested_at: '2026-12-07T09:00:00.000Z',
      started_at: '2026-12-07T09:00:01.000Z',
      finished_at: null,
      error: null,
    },
  })

export const XpRebuildStatusSchema = z
  .object({
    run: z
      .union([XpRebuildSchema, z.null()])
      .openapi({ description: "The school's latest rebuild, null before the first" }),
  })
  .openapi('XpRebuildStatus', {
    example: {
      run: {
        id: 'rb_01JEXAMPLE',
        status: 'done',
        processed: 4210,
        total: 4210,
        requested_at: '2026-12-07T09:00:00.000Z',
        started_at: '2026-12-07T09:00:01.000Z',
        finished_at: '2026-12-07T09:00:09.000Z',
        error: null,
      },
    },
  })

export const XpRebuildStartedSchema = z
  .object({
    run: XpRebuildSchema,
    started: z.boolean().openapi({ description: 'false: the run already queued or running, answered again' }),
  })
  .openapi('XpRebuildStarted', {
    example: {
      run: {
        id: 'rb_01JEXAMPLE',
        status: 'queued',
        processed: 0,
        total: 0,
        requested_at: '2026-12-07T09:00:00.000Z',
        started_at: null,
        finished_at: null,
        error: null,
      },
      started: true,
    },
  })
