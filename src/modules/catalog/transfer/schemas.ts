import { z } from '@hono/zod-openapi'
import { CreateCourseBody } from '../courses/schemas.ts'
import { CreateKmsBody } from '../kms/schemas.ts'
import { Timestamp } from '../schemas.ts'
import { CreateClassBody } from '../steps/schemas.ts'

// Export / import: one JSON document per course (steps, quizzes, handout documents and links)

const COURSE_DOCUMENT_FORMAT = 'sillon.course'

export const CourseDocumentSchema = z
  .object({
    format: z.literal(COURSE_DOCUMENT_FORMAT),
    version: z.literal(1),
    exported_at: Timestamp.optional(),
    course: CreateCourseBody.omit({ student_ids: true, instructor_ids: true, team_ids: true }),
    steps: z.array(CreateClassBody.omit({ course_id: true, order_index: true })).max(1000),
    kms: z.array(CreateKmsBody).max(1000).default([]),
  })
  .openapi('CourseDocument', {
    example: {
      format: 'sillon.course',
      version: 1,
      course: { name: 'Découvrir le système solaire', languages: ['fr'], skills: ['astronomie'] },
      steps: [{ name: 'Lire', step_type: 'reading', content_md: '# Les planètes' }],
      kms: [{ type: 'document', title: 'Fiche', body: '# Résumé', available_in_advance: false }],
    },
  })
