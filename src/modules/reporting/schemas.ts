import { z } from '@hono/zod-openapi'
import * as gamification from '../gamification/index.ts'
import * as mastery from '../mastery/index.ts'
import * as progress from '../progress/index.ts'

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

// Dashboards for staff

const days = (fallback: number, description: string) =>
  z.coerce.number().int().min(1).max(365).default(fallback).openapi({ description, example: fallback })

/** The thresholds of the at-risk rules, shared by the overview and course analytics. */
const RiskQueryShape = {
  inactive_days: days(7, 'A student with no event in a course for this many days is at risk (inactive)'),
  stuck_days: days(
    7,
    'A student on the same step for this many days without completing it is at risk (stuck)',
  ),
  failures: z.coerce.number().int().min(1).max(100).default(3).openapi({
    description: 'Failed quiz attempts on the current step that make a student at risk',
    example: 3,
  }),
}

export const OverviewQuery = z.object({
  ...RiskQueryShape,
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .openapi({ description: 'At most this many at-risk entries, most severe first', example: 50 }),
})

/** When a student has abandoned a course; shared by the analytics, a student's page and the CSV export. */
const AbandonQueryShape = {
  abandoned_days: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .optional()
    .openapi({
      description:
        'A student who has not finished an open (published) course and sent no event in it for this many days ' +
        "has abandoned it. Default: the school's setting (`abandoned_days` of GET /api/organisation); this " +
        'view only, the setting is unchanged',
      example: 14,
    }),
}

export const AnalyticsQuery = z.object({
  ...RiskQueryShape,
  ...AbandonQueryShape,
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(100)
    .openapi({ description: 'Students per page', example: 100 }),
  offset: z.coerce.number().int().min(0).default(0).openapi({ example: 0 }),
})

export const StudentInCourseQuery = z.object({ ...RiskQueryShape, ...AbandonQueryShape })

export const ResultsCsvQuery = z.object({
  ...AbandonQueryShape,
  lang: z
    .enum(['fr', 'en'])
    .optional()
    .openapi({ description: "Language of the header row and the statuses; default the school's language" }),
})

export const CourseIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'b2f0d6c4-1a3e-4f57-8c9d-0e1a2b3c4d5e' }),
})

export const CourseStudentParams = z.object({
  id: CourseIdParam.shape.id,
  studentId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'studentId', in: 'path' }, example: 'c3a1e7d2-5b4f-4e6a-9d8c-1f2e3d4c5b6a' }),
})

const Instant = z.string().openapi({ example: '2026-11-22T09:00:00.000Z' })

const StudentStatusSchema = z.enum(['not_started', 'in_progress', 'abandoned', 'completed']).openapi({
  description:
    'completed: every step done; not_started: no event yet; abandoned: an open course not finished and no ' +
    'event in it for `abandoned_days`; in_progress: otherwise (a draft or archived course is never abandoned)',
})

const TimeSpent = z.number().openapi({
  description:
    'Seconds from the opening of each completed step (the completion of the previous step, or the first ' +
    'event on the first step) to its completion, each step capped (1 hour, 3 hours for video steps)',
})

const RiskReasonSchema = z
  .discriminatedUnion('code', [
    z.object({
      code: z.literal('inactive'),
      last_event_at: Instant.nullable().openapi({ description: 'Null: never started' }),
      since: Instant.openapi({
        description: 'Last event, or when the course opened to a student who never started',
      }),
      days: z.number().int(),
    }),
    z.object({
      code: z.literal('stuck'),
      class_id: z.string(),
      step_index: z.number().int(),
      step_name: z.string(),
      since: Instant.openapi({ description: 'When the student arrived at the step' }),
      days: z.number().int(),
    }),
    z.object({
      code: z.literal('repeated_failures'),
      class_id: z.string(),
      step_index: z.number().int(),
      failed_attempts: z.number().int(),
      best_ratio: z.number().nullable(),
      last_attempt_at: Instant.nullable(),
    }),
    z.object({ code: z.literal('out_of_hearts'), next_heart_at: Instant.nullable() }),
  ])
  .openapi('RiskReason')

const Thresholds = z.object({
  inactive_days: z.number().int(),
  stuck_days: z.number().int(),
  failures: z.number().int(),
})

export const AdminOverviewSchema = z
  .object({
    generated_at: Instant,
    timezone: z.string().openapi({ example: 'Europe/Paris' }),
    thresholds: Thresholds,
    active_students: z
      .object({
        last_1_day: z.number().int(),
        last_7_days: z.number().int(),
        last_30_days: z.number().int(),
      })
      .openapi({
        description: "Students with at least one event on the school's last 1, 7 or 30 days, today included",
      }),
    enrolments: z.object({
      total: z.number().int().openapi({ description: 'Enrolments (a student in a course)' }),
      students: z
        .number()
        .int()
        .openapi({ description: 'Distinct students enrolled in at least one course' }),
      by_course: z.array(
        z.object({
          course_id: z.string(),
          name: z.string(),
          status: z.enum(['draft', 'published', 'archived']),
          enrolled: z.number().int(),
          completions: z.number().int(),
          completions_last_30_days: z.number().int(),
        }),
      ),
    }),
    completions: z.object({ total: z.number().int(), last_30_days: z.number().int() }),
    average_mastery: z.array(
      z.object({
        course_id: z.string(),
        name: z.string().nullable(),
        students: z.number().int(),
        average_score: z.number(),
      }),
    ),
    events_per_day: z
      .array(z.object({ day: z.string().openapi({ example: '2026-11-22' }), events: z.number().int() }))
      .openapi({
        description: "The last 30 days of the school's time zone, oldest first, days without events included",
      }),
    at_risk: z.object({
      total: z.number().int(),
      entries: z.array(
        z.object({
          student_id: z.string(),
          name: z.string().nullable(),
          course_id: z.string(),
          course_name: z.string(),
          severity: z.number().int(),
          reasons: z.array(RiskReasonSchema),
        }),
      ),
    }),
  })
  .openapi('AdminOverview')

export const CourseAnalyticsSchema = z
  .object({
    generated_at: Instant,
    thresholds: Thresholds,
    abandoned_days: z.number().int(),
    course: z.object({
      id: z.string(),
      name: z.string(),
      status: z.enum(['draft', 'published', 'archived']),
      step_count: z.number().int(),
    }),
    enrolled: z.number().int(),
    abandoned: z.number().int().openapi({ description: 'Enrolled students who abandoned the course' }),
    completed: z.number().int().openapi({ description: 'Enrolled students who completed every step' }),
    funnel: z.array(
      z.object({
        class_id: z.string(),
        index: z.number().int(),
        name: z.string(),
        step_type: z.string(),
        reached: z.number().int(),
        completed: z.number().int(),
        in_progress: z
          .number()
          .int()
          .openapi({ description: 'Reached, not completed, and active within `abandoned_days`' }),
        abandoned: z.number().int().openapi({
          description: "Reached, not completed, and abandoned the course (see the students' `status`)",
        }),
        abandoned_ratio: z
          .number()
          .openapi({ description: 'abandoned / reached; 0 when nobody reached the step' }),
        average_quiz_attempts: z
          .number()
          .nullable()
          .openapi({ description: 'Among students who attempted the quiz; null when none did' }),
        average_time_sec: z
          .number()
          .nullable()
          .openapi({
            description:
              'Among those who completed the step, from its opening (the completion of the previous step, or ' +
              'the first event on the first step) to its completion, capped at 1 hour (3 hours for video ' +
              'steps); null when no time is known',
          }),
      }),
    ),
    students: z.object({
      total: z.number().int(),
      entries: z.array(
        z.object({
          student_id: z.string(),
          name: z.string().nullable(),
          enrolled_at: Instant,
          completed_steps: z.number().int(),
          progress_ratio: z.number(),
          completed: z.boolean(),
          status: StudentStatusSchema,
          time_spent_sec: TimeSpent,
          current_step: z
            .object({ class_id: z.string(), index: z.number().int(), name: z.string() })
            .nullable(),
          last_event_at: Instant.nullable(),
          quiz_scores: z.array(
            z.object({
              class_id: z.string(),
              step_index: z.number().int(),
              best_ratio: z.number().nullable(),
              score: z.number().nullable(),
              max_score: z.number().nullable(),
              attempts: z.number().int(),
              passed: z.boolean(),
            }),
          ),
          severity: z.number().int(),
          at_risk: z.array(RiskReasonSchema),
        }),
      ),
    }),
  })
  .openapi('CourseAnalytics')

export const StudentInCourseSchema = z
  .object({
    generated_at: Instant,
    abandoned_days: z.number().int(),
    course: z.object({
      id: z.string(),
      name: z.string(),
      status: z.enum(['draft', 'published', 'archived']),
      step_count: z.number().int(),
    }),
    student: z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() }),
    teams: z.array(z.object({ id: z.string(), name: z.string() })),
    enrolled_at: Instant,
    status: StudentStatusSchema,
    completed_steps: z.number().int(),
    progress_ratio: z.number(),
    time_spent_sec: TimeSpent,
    last_event_at: Instant.nullable(),
    steps: z.array(
      z.object({
        class_id: z.string(),
        index: z.number().int(),
        name: z.string(),
        step_type: z.string(),
        state: z.enum(['done', 'current', 'locked']),
        opened_at: Instant.nullable().openapi({
          description: 'When the step opened: completion of the previous step, or first event on the first',
        }),
        completed_at: Instant.nullable(),
        time_sec: z.number().nullable().openapi({ description: 'As `time_spent_sec`, for this step' }),
        quiz: z
          .object({
            attempts: z.number().int(),
            best_ratio: z.number().nullable(),
            passed: z.boolean(),
          })
          .nullable(),
      }),
    ),
    attempts: z.array(
      z.object({
        class_id: z.string(),
        step_index: z.number().int(),
        attempt: z.number().int(),
        at: Instant,
        score: z.number(),
        max_score: z.number(),
        ratio: z.number(),
        passed: z.boolean(),
      }),
    ),
    mastery: z.object({
      course: z
        .object({ score: z.number(), level: z.enum(mastery.masteryLevels), questions: z.number().int() })
        .nullable()
        .openapi({ description: 'Null until the student answered a question of the course' }),
      skills: z.array(
        z.object({ skill: z.string(), score: z.number(), level: z.enum(mastery.masteryLevels) }),
      ),
    }),
    at_risk: z.array(RiskReasonSchema),
  })
  .openapi('StudentInCourse')

export const DashboardQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(7)
    .max(366)
    .default(35)
    .openapi({ description: "How many days the streak calendar shows, ending today (school's time zone)" }),
})

const Game = progress.LearnerGamificationSchema.shape
const SkillLevel = z.enum(mastery.masteryLevels)

export const DashboardGamificationSchema = z.object({
  xp: Game.xp,
  badges: Game.badges,
  streak: Game.streak.extend({
    calendar: z.object({
      from: z.string().openapi({ example: '2026-10-28' }),
      to: z.string().openapi({ description: "Today in the school's time zone", example: '2026-12-01' }),
      days: z
        .array(
          z.object({
            day: z.string(),
            active: z.boolean(),
            frozen: z.boolean().openapi({ description: 'Missed, but a freeze kept the streak' }),
            streak_length: z.number().int(),
            freezes_held: z.number().int(),
          }),
        )
        .openapi({ description: 'The days the streak knows of; a day absent had no streak running' }),
    }),
  }),
  hearts: Game.hearts.extend({ full_at: z.string().nullable() }),
})

export const DashboardSkillsSchema = z.object({
  levels: mastery.LevelCountsSchema,
  skills: z.array(z.object({ skill: z.string(), score: z.number(), level: SkillLevel })),
})

export const StudentDashboardSchema = z
  .object({
    student_id: z.string(),
    as_of: z.string(),
    courses: z.array(progress.LearnerCourseSchema),
    ...DashboardGamificationSchema.shape,
    skills: DashboardSkillsSchema,
  })
  .openapi('StudentDashboard')

export const CourseRecapParams = z.object({
  course_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'course_id', in: 'path' } }),
})

export const CourseRecapSchema = z
  .object({
    course_id: z.string(),
    completed: z.boolean(),
    completed_steps: z.number().int(),
    total_steps: z.number().int(),
    completed_at: z
      .string()
      .nullable()
      .openapi({ description: 'When its last step was done; null until then' }),
    xp_earned: z.number().int().nullable().openapi({
      description:
        "XP brought by the course's steps and its completion, badges' XP included; null without gamification",
    }),
    badges: z.array(gamification.EarnedBadgeSchema).openapi({
      description: "Badges earned by doing the course's steps, in the order they came",
    }),
    time_spent_sec: z.number().nullable().openapi({
      description:
        'Time on its steps, as course reports count it (from a step opening to its completion, capped per step); null when unknown',
    }),
  })
  .openapi('CourseRecap')
