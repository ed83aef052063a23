import { z } from '@hono/zod-openapi'
import { PaginationQuery } from '../../core/http/schemas.ts'
import { CreateClassBody, CreateCourseBody, MediaSchema } from '../catalog/index.ts'
import {
  LmsAddressSchema,
  LmsEmailSchema,
  LmsTelephoneSchema,
  lmsPersonExample,
  lmsPersonFields,
} from '../identity/index.ts'

// Unified.to's LMS objects as its API and SDK speak them (https://docs.unified.to/lms): a field without a
// value is absent, never null, and only Unified's own fields are read and written here.

const Id = z.string().min(1).max(64)
const Timestamp = z.string().openapi({ example: '2026-11-22T09:30:00.000Z' })
const Raw = z.record(z.string(), z.unknown())

export const ConnectionParams = z.object({
  connection_id: z
    .string()
    .min(1)
    .max(63)
    .openapi({
      param: { name: 'connection_id', in: 'path' },
      example: 'lycee-victor-hugo',
      description: "The school's slug; it must be the school of the caller's token or session",
    }),
})
export const ObjectParams = ConnectionParams.extend({
  id: Id.openapi({ param: { name: 'id', in: 'path' }, example: '3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b' }),
})

export const ListQuery = PaginationQuery.extend({
  query: z.string().trim().max(200).optional().openapi({ example: 'martin' }),
  updated_gte: z.iso
    .datetime({ offset: true })
    .optional()
    .transform((v) => (v ? new Date(v).toISOString() : undefined))
    .openapi({ example: '2026-11-01T00:00:00Z' }),
})
export const PersonListQuery = ListQuery.extend({
  course_id: Id.optional().openapi({ description: 'Only those enrolled in (or teaching) this course' }),
  class_id: Id.optional().openapi({ description: "Only those of this class's course" }),
})
export const ClassListQuery = ListQuery.extend({
  course_id: Id.optional().openapi({ description: 'Only the classes of this course, in path order' }),
})

const Reference = z.object({ id: z.string(), name: z.string().optional() })

// People

const personView = {
  id: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
  name: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  emails: z.array(LmsEmailSchema),
  telephones: z.array(LmsTelephoneSchema),
  image_url: z.string().optional(),
  raw: Raw.optional(),
}
export const StudentSchema = z
  .object({ ...personView, address: LmsAddressSchema.optional() })
  .openapi('UnifiedLmsStudent')
export const InstructorSchema = z
  .object({ ...personView, title: z.string().optional() })
  .openapi('UnifiedLmsInstructor')

// Unified's SDK serialises an e-mail entry as `{}` (its LmsEmail model has no field): such entries are skipped.
const personInput = {
  ...lmsPersonFields,
  emails: z
    .array(LmsEmailSchema.partial({ email: true }))
    .max(10)
    .optional(),
}
export const CreatePersonBody = z
  .object(personInput)
  .refine((p) => Boolean(p.name || p.first_name || p.last_name), 'give a name, a first name or a last name')
  .openapi('UnifiedCreateLmsPerson', { example: lmsPersonExample })
export const UpdatePersonBody = z
  .object(personInput)
  .openapi('UnifiedUpdateLmsPerson', { example: { telephones: [{ telephone: '+33 3 81 00 00 00' }] } })

// Courses

export const CourseSchema = z
  .object({
    id: z.string(),
    created_at: Timestamp,
    updated_at: Timestamp,
    name: z.string(),
    description: z.string().optional(),
    categories: z.array(z.string()),
    languages: z.array(z.string()),
    media: MediaSchema,
    skills: z.array(z.string()),
    currency: z.string().optional(),
    price_amount: z.number().optional(),
    is_active: z.boolean(),
    is_private: z.boolean(),
    published_at: Timestamp.optional(),
    students: z.array(Reference).openapi({ description: 'Every enrolled student, directly or by team' }),
    instructors: z.array(Reference),
    raw: Raw.optional(),
  })
  .openapi('UnifiedLmsCourse')

const references = (max: number, description: string) =>
  z
    .array(z.object({ id: Id, name: z.string().optional() }))
    .max(max)
    .optional()
    .openapi({ description })

const courseInput = CreateCourseBody.pick({
  name: true,
  description: true,
  categories: true,
  languages: true,
  media: true,
  skills: true,
  currency: true,
  price_amount: true,
  is_active: true,
  is_private: true,
  raw: true,
}).extend({
  students: references(
    5000,
    'The students to enrol (replaces the set; those enrolled through a team stay through their team)',
  ),
  instructors: references(500, 'The instructors to assign (replaces the set)'),
})
export const CreateCourseInput = courseInput.openapi('UnifiedCreateLmsCourse', {
  example: {
    name: 'Découvrir le système solaire',
    description: 'Un parcours en quatre étapes sur les planètes.',
    languages: ['fr'],
    students: [{ id: '3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b' }],
  },
})
export const UpdateCourseInput = courseInput
  .partial()
  .openapi('UnifiedUpdateLmsCourse', { example: { description: 'Un parcours mis à jour.' } })

// Classes (Sillon's steps)

export const ClassSchema = z
  .object({
    id: z.string(),
    created_at: Timestamp,
    updated_at: Timestamp,
    course_id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    languages: z.array(z.string()),
    media: MediaSchema,
    raw: Raw.optional(),
  })
  .openapi('UnifiedLmsClass')

const classInput = CreateClassBody.pick({
  course_id: true,
  name: true,
  description: true,
  languages: true,
  media: true,
  raw: true,
})
export const CreateClassInput = classInput.openapi('UnifiedCreateLmsClass', {
  example: {
    course_id: '7c1e3a52-5f0d-4c7e-9b1a-2d8f6e4a0b13',
    name: 'Les planètes telluriques',
    media: [{ type: 'VIDEO', url: 'https://videos.example.org/telluriques.mp4' }],
  },
})
export const UpdateClassInput = classInput
  .omit({ course_id: true })
  .partial()
  .openapi('UnifiedUpdateLmsClass', { example: { name: 'Les planètes rocheuses' } })
