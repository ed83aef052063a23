import { z } from '@hono/zod-openapi'

export const DailyStatsQuery = z.object({
  from: z.iso
    .date()
    .optional()
    .openapi({ description: 'First day (UTC), default 30 days ago', example: '2026-11-01' }),
  to: z.iso
    .date()
    .optional()
    .openapi({ description: 'Last day (UTC), default today', example: '2026-11-22' }),
})

export const DailyStatsSchema = z
  .object({ data: z.array(z.object({ day: z.string(), type: z.string(), events: z.number().int() })) })
  .openapi('EventDailyStats')

export const SignalSummarySchema = z
  .object({
    data: z.array(
      z.object({
        student_id: z.string(),
        VIDEO_COMPLETED: z.number().int(),
        QUIZ_ATTEMPTED: z.number().int(),
        QUIZ_PASSED: z.number().int(),
        STEP_COMPLETED: z.number().int(),
        COURSE_COMPLETED: z.number().int(),
      }),
    ),
  })
  .openapi('SignalSummary')

export const UserActivitySchema = z
  .object({
    data: z.array(
      z.object({
        student_id: z.string(),
        last_event_at: z.string(),
        events_last_24h: z.number().int(),
      }),
    ),
  })
  .openapi('UserActivity')
