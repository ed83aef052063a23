import { z } from '@hono/zod-openapi'
import * as catalog from '../catalog/index.ts'

const StepProgress = z.object({
  video_position_sec: z.number(),
  video_completed: z.boolean(),
  quiz_passed: z.boolean(),
  quiz_best_ratio: z.number().nullable(),
  quiz_attempts: z.number().int(),
  completed_at: z.string().nullable(),
})

const StudentQuestion = z.object({
  id: z.string(),
  type: z.string(),
  prompt: z.string(),
  points: z.number(),
  skills: z.array(z.string()),
  choices: z.array(z.object({ id: z.string(), text: z.string() })).optional(),
})

export const StudentCourseSchema = z
  .object({
    course: z.object({
      id: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      status: z.string(),
      max_playback_rate: z.number(),
      allow_video_download: z.boolean(),
    }),
    progress: z.object({
      completed_steps: z.number().int(),
      total_steps: z.number().int(),
      ratio: z.number(),
      completed: z.boolean(),
      current_class_id: z.string().nullable(),
    }),
    steps: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        step_type: z.string(),
        index: z.number().int(),
        state: z.enum(['completed', 'current', 'locked']),
        progress: StepProgress.nullable(),
        content: z
          .object({
            description: z.string().nullable(),
            content_md: z.string().nullable(),
            video: catalog.PlaybackSchema.nullable(),
            captions: z
              .array(catalog.CaptionSchema.pick({ language: true, label: true, url: true }))
              .openapi({ description: "The video's caption tracks (WebVTT), for <track> elements" }),
            quiz: z
              .object({
                kind: z.enum(['native', 'tally']),
                pass_threshold: z.number().openapi({
                  description: "The score to pass: the quiz's own, else the course's default",
                }),
                reveal_answers: z.enum(['after_pass', 'never']).optional().openapi({
                  description: 'Native quizzes: when the expected answers are shown (once passed, or never)',
                }),
                question_display: z.enum(['all', 'one_at_a_time']).optional().openapi({
                  description: 'Native quizzes: all questions on one page, or one at a time',
                }),
                questions: z.array(StudentQuestion).optional().openapi({
                  description:
                    'Questions and choices in an order drawn for this student and attempt (the same on a reload)',
                }),
                form_id: z.string().optional(),
                hidden_fields: z.record(z.string(), z.string()).optional(),
              })
              .nullable(),
          })
          .nullable()
          .openapi({ description: 'Only for the current step; never an answer key' }),
      }),
    ),
    kms: z.object({ data: z.array(catalog.KmsResourceSchema), locked: z.number().int() }),
    hearts: z
      .object({
        hearts: z.number().int(),
        max_hearts: z.number().int(),
        next_heart_at: z.string().nullable(),
      })
      .nullable()
      .openapi({
        description:
          'Hearts left to attempt a quiz, and when the next one comes back; null when hearts are off',
      }),
  })
  .openapi('StudentCourse')

export const LearnerGamificationSchema = z
  .object({
    xp: z.object({
      total: z.number().int(),
      this_week: z.number().int(),
      week_start: z.string(),
      level: z.object({
        level: z.number().int(),
        xp: z.number().int(),
        level_start_xp: z.number().int(),
        next_level_xp: z.number().int(),
      }),
    }),
    badges: z.object({
      count: z.number().int(),
      recent: z.array(
        z.object({
          badge_id: z.string(),
          code: z.string(),
          key: z.string().nullable().openapi({ description: 'As Badge.key' }),
          name: z.string(),
          icon: z.string().nullable(),
          awarded_at: z.string(),
          points: z.number().int(),
        }),
      ),
    }),
    streak: z.object({
      current: z.number().int(),
      longest: z.number().int(),
      active_today: z.boolean(),
      freezes_held: z.number().int(),
      last_active_day: z.string().nullable(),
      at_risk_today: z.boolean(),
    }),
    hearts: z.object({
      enabled: z.boolean(),
      hearts: z.number().int(),
      max_hearts: z.number().int(),
      next_heart_at: z.string().nullable(),
    }),
  })
  .openapi('LearnerGamification')

export type LearnerGamification = z.infer<typeof LearnerGamificationSchema>

export const LearnerCourseSchema = z
  .object({
    course_id: z.string(),
    name: z.string(),
    status: z.string(),
    completed_steps: z.number().int(),
    total_steps: z.number().int(),
    ratio: z.number(),
    completed: z.boolean(),
    current_step: z
      .object({ class_id: z.string(), name: z.string(), step_type: z.string() })
      .nullable()
      .openapi({ description: 'The next step to do; null once the course is completed' }),
    quiz_scores: z.array(
      z.object({
        class_id: z.string(),
        best_ratio: z.number(),
        score: z.number(),
        max_score: z.number(),
        attempts: z.number().int(),
        passed: z.boolean(),
      }),
    ),
  })
  .openapi('LearnerCourse')

export const LearnerSchema = z
  .object({
    student_id: z.string(),
    gamification: LearnerGamificationSchema.nullable().openapi({
      description: 'XP, level, badges, streak and hearts; null when the app runs without gamification',
    }),
    courses: z.array(LearnerCourseSchema),
  })
  .openapi('Learner')

export const StudentCourseParams = z.object({
  course_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'course_id', in: 'path' } }),
})

export const LearnerQuery = z.object({
  userId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ description: 'A student id or a user id; yourself when absent' }),
})
