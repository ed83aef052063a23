import { z } from '@hono/zod-openapi'

// Each school's gamification rules. Stored as JSON, read through this schema, so a new setting gets its
// default for schools that never set it, and a stored value that no longer validates falls back too.

export const SettingsSchema = z
  .object({
    xp: z
      .object({
        video_completed: z.number().int().min(0).max(10_000).default(10),
        quiz_passed: z.number().int().min(0).max(10_000).default(50),
        perfect_quiz: z.number().int().min(0).max(10_000).default(25),
        course_completed: z.number().int().min(0).max(10_000).default(100),
        streak_day: z.number().int().min(0).max(10_000).default(5),
      })
      .prefault({}),
    hearts: z
      .object({
        enabled: z.boolean().default(true),
        max_hearts: z.number().int().min(1).max(50).default(5),
        regen_interval_minutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(240),
      })
      .prefault({}),
    streaks: z
      .object({
        /** The signals that make a day count for a student's streak. */
        qualifying_signals: z
          .array(z.enum(['STEP_COMPLETED', 'VIDEO_COMPLETED', 'QUIZ_PASSED', 'QUIZ_ATTEMPTED']))
          .min(1)
          .default(['STEP_COMPLETED']),
        /** A freeze is earned every this many consecutive active days. */
        freeze_every_days: z.number().int().min(1).max(365).default(7),
        max_freezes: z.number().int().min(0).max(10).default(2),
      })
      .prefault({}),
  })
  .openapi('GamificationSettings')

export type GamificationSettings = z.infer<typeof SettingsSchema>

export const defaultSettings: GamificationSettings = SettingsSchema.parse({})

type Defaulted = Record<string, z.ZodDefault<z.ZodType>>

/**
 * A group's fields, each optional without its default: zod 4 applies a default even inside `.partial()`, so
 * a field left out of a change would otherwise be reset to its default instead of kept.
 */
function changeOf<S extends Defaulted>(group: z.ZodObject<S>) {
  const fields = Object.entries(group.shape).map(([key, field]) => [key, field.unwrap().optional()])
  return z.object(Object.fromEntries(fields) as { [K in keyof S]: z.ZodOptional<ReturnType<S[K]['unwrap']>> })
}

/** A partial change: only the groups and fields given are replaced. */
export const SettingsPatchSchema = z
  .object({
    xp: changeOf(SettingsSchema.shape.xp.unwrap()).optional(),
    hearts: changeOf(SettingsSchema.shape.hearts.unwrap()).optional(),
    streaks: changeOf(SettingsSchema.shape.streaks.unwrap()).optional(),
  })
  .openapi('GamificationSettingsPatch', { example: { xp: { quiz_passed: 60 }, hearts: { max_hearts: 3 } } })

export type GamificationSettingsPatch = z.infer<typeof SettingsPatchSchema>

export function readSettings(stored: string | null): GamificationSettings {
  if (!stored) return defaultSettings
  const parsed = SettingsSchema.safeParse(JSON.parse(stored))
  return parsed.success ? parsed.data : defaultSettings
}

/** The settings that differ, by dotted name (`xp.quiz_passed`), with their values before and after. */
export function changedSettings(before: GamificationSettings, after: GamificationSettings) {
  const changes: Record<string, { from: unknown; to: unknown }> = {}
  for (const group of ['xp', 'hearts', 'streaks'] as const) {
    const was: Record<string, unknown> = before[group]
    for (const [key, value] of Object.entries(after[group])) {
      if (JSON.stringify(was[key]) !== JSON.stringify(value))
        changes[`${group}.${key}`] = { from: was[key], to: value }
    }
  }
  return changes
}

export function mergeSettings(current: GamificationSettings, patch: GamificationSettingsPatch) {
  return SettingsSchema.parse({
    xp: { ...current.xp, ...patch.xp },
    hearts: { ...current.hearts, ...patch.hearts },
    streaks: { ...current.streaks, ...patch.streaks },
  })
}
