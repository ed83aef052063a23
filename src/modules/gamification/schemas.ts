import { z } from '@hono/zod-openapi'

export const LevelSchema = z
  .object({
    level: z.number().int(),
    xp: z.number().int(),
    level_start_xp: z.number().int(),
    next_level_xp: z.number().int(),
  })
  .openapi('Level')

export const XpSummarySchema = z
  .object({
    total: z.number().int(),
    this_week: z.number().int(),
    week_start: z.string().openapi({ description: "Monday 00:00 in the school's time zone" }),
    level: LevelSchema,
  })
  .openapi('XpSummary')
