import { z } from 'zod'
import type { Db } from '../../core/db/database.ts'

// The signals gamification appends (from its jobs and its hearts reactor), as zod schemas: readers build
// their contract from them (core/events/signal-log.ts signalContract), and the runner decodes for them.

/** One closed day of one student's streak (jobs/close-streak-day.ts). */
export const StreakDaySignal = z.object({
  type: z.literal('STREAK_DAY'),
  payload: z.looseObject({
    day: z.string(),
    active: z.boolean(),
    frozen: z.boolean(),
    streak_length: z.number().int(),
    freezes_held: z.number().int(),
  }),
})

/** Hearts that came back with time (jobs/regenerate-hearts.ts). */
export const HeartRefilledSignal = z.object({
  type: z.literal('HEART_REFILLED'),
  payload: z.looseObject({
    hearts_before: z.number().int(),
    hearts_after: z.number().int(),
    next_heart_at: z.string().nullable(),
  }),
})

/**
 * Tells a student of a badge just awarded, inside the awarding transaction (`db`): the port writes through
 * it, and must be idempotent on `awardId` (a replay of the signals awards the same badges again).
 */
export type BadgeAwardedPort = (
  db: Db,
  orgId: string,
  award: { awardId: string; userId: string; badgeName: string },
) => Promise<void>
