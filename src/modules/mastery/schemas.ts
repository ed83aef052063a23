import { z } from '@hono/zod-openapi'
import { masteryLevels } from './rules/levels.ts'

const Timestamp = z.string().openapi({ example: '2026-11-22T09:30:00.000Z' })
const Level = z.enum(masteryLevels).openapi({ description: 'attempted < familiar < proficient < mastered' })

export const StudentParams = z.object({
  student_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'student_id', in: 'path' }, example: '3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b' }),
})

const CourseProgress = z
  .object({
    completed_steps: z.number().int(),
    total_steps: z.number().int(),
    ratio: z.number(),
    started_at: Timestamp.nullable().openapi({ description: 'First activity on the course' }),
    completed_at: Timestamp.nullable().openapi({ description: 'When the last step was completed' }),
  })
  .openapi('CourseProgress')

export const LevelCountsSchema = z
  .object({
    attempted: z.number().int(),
    familiar: z.number().int(),
    proficient: z.number().int(),
    mastered: z.number().int(),
  })
  .openapi('SkillLevelCounts', { description: 'How many skills are at each level now, decay included' })

export const MasterySchema = z
  .object({
    student_id: z.string(),
    as_of: Timestamp.openapi({ description: 'The instant skill decay is computed at' }),
    courses: z.array(
      z.object({
        course_id: z.string(),
        title: z.string(),
        progress: CourseProgress,
        score: z.number().nullable().openapi({
          description:
            'Points-weighted quiz mastery in [0, 1], first attempts counting most; null before any quiz',
        }),
        level: Level.nullable(),
        questions: z.number().int().openapi({ description: 'Questions answered at least once' }),
      }),
    ),
    skills: z.array(
      z.object({
        skill: z.string(),
        score: z.number().openapi({ description: 'Recency-weighted share of right answers, in [0, 1]' }),
        level: Level.openapi({ description: 'The level now, after decay' }),
        practised_level: Level.openapi({ description: 'The level when last practised' }),
        decayed: z.boolean().openapi({ description: 'True when time without practice lowered the level' }),
        attempts: z.number().int(),
        correct: z.number().int(),
        last_practised_at: Timestamp,
      }),
    ),
    skills_summary: LevelCountsSchema,
  })
  .openapi('Mastery')
