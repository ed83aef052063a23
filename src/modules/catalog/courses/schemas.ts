import { z } from '@hono/zod-openapi'
import { PaginationQuery } from '../../../core/http/schemas.ts'
import { Ids, MediaSchema, Tags, Timestamp } from '../schemas.ts'
import { courseStatuses } from '../tables.ts'

const Threshold = z.number().min(0).max(1)
const courseFields = {
  name: z.string().trim().min(1).max(300),
  description: z.string().max(20000).nullable().optional(),
  categories: Tags.optional(),
  languages: z.array(z.string().trim().min(2).max(20)).max(20).optional(),
  media: MediaSchema.optional(),
  objectives: z.array(z.string().trim().min(1).max(1000)).max(50).optional(),
  skills: Tags.optional(),
  currency: z.string().trim().length(3).toUpperCase().nullable().optional(),
  price_amount: z.number().min(0).nullable().optional(),
  is_active: z.boolean().optional(),
  is_private: z.boolean().optional(),
  max_playback_rate: z.number().min(1).max(4).optional(),
  allow_video_download: z.boolean().optional().openapi({
    description: "Whether the player lets students save the course's videos (default true)",
  }),
  video_completion_threshold: z.number().min(0.5).max(1).optional(),
  quiz_pass_threshold: Threshold.optional(),
  student_ids: Ids.optional().openapi({
    description: 'lms_student ids enrolled directly (replaces the set)',
  }),
  instructor_ids: Ids.optional().openapi({ description: 'lms_instructor ids assigned (replaces the set)' }),
  team_ids: Ids.optional().openapi({ description: 'Teams whose students are enrolled (replaces the set)' }),
  raw: z.record(z.string(), z.unknown()).nullable().optional(),
}

const courseExample = {
  name: 'Découvrir le système solaire',
  description: 'Un parcours en quatre étapes sur les planètes.',
  categories: ['Sciences'],
  languages: ['fr'],
  objectives: ['Nommer les huit planètes', 'Expliquer une orbite'],
  skills: ['astronomie'],
  max_playback_rate: 2,
  student_ids: ['3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b'],
}

export const CreateCourseBody = z.object(courseFields).openapi('CreateCourse', { example: courseExample })
export const UpdateCourseBody = z
  .object(courseFields)
  .partial()
  .openapi('UpdateCourse', { example: { description: 'Un parcours mis à jour.', student_ids: [] } })

const PersonRef = z.object({ id: z.string(), name: z.string().nullable() })

export const CourseSchema = z
  .object({
    id: z.string(),
    created_at: Timestamp,
    updated_at: Timestamp,
    name: z.string(),
    description: z.string().nullable(),
    status: z.enum(courseStatuses),
    categories: z.array(z.string()),
    languages: z.array(z.string()),
    media: MediaSchema,
    objectives: z.array(z.string()),
    skills: z.array(z.string()),
    currency: z.string().nullable(),
    price_amount: z.number().nullable(),
    is_active: z.boolean(),
    is_private: z.boolean(),
    max_playback_rate: z.number(),
    allow_video_download: z.boolean(),
    video_completion_threshold: z.number(),
    quiz_pass_threshold: z.number(),
    student_ids: z.array(z.string()).openapi({ description: 'Every enrolled student, directly or by team' }),
    direct_student_ids: z.array(z.string()).openapi({
      description: 'The students enrolled directly (what `student_ids` in a course update replaces)',
    }),
    students: z.array(PersonRef),
    instructor_ids: z.array(z.string()),
    instructors: z.array(PersonRef),
    team_ids: z.array(z.string()),
    step_count: z.number().int(),
    published_at: Timestamp.nullable(),
    raw: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('Course')

export const CourseListQuery = PaginationQuery.extend({
  query: z.string().trim().max(200).optional(),
  status: z.enum(courseStatuses).optional(),
  updated_gte: z.iso
    .datetime({ offset: true })
    .optional()
    .transform((v) => (v ? new Date(v).toISOString() : undefined)),
})
