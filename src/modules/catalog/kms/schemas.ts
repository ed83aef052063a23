import { z } from '@hono/zod-openapi'
import { CourseParams, idParam, Timestamp } from '../schemas.ts'
import { kmsTypes } from '../tables.ts'

export const KmsParams = CourseParams.extend({
  resource_id: idParam('resource_id', 'c0ffee00-1234-4abc-8def-0123456789ab'),
})

export const KmsResourceSchema = z
  .object({
    id: z.string(),
    course_id: z.string(),
    type: z.enum(kmsTypes),
    title: z.string(),
    body: z.string().nullable(),
    url: z.string().nullable(),
    file: z
      .object({ name: z.string(), type: z.string(), size: z.number().int(), download_url: z.string() })
      .nullable(),
    available_in_advance: z.boolean(),
    available: z.boolean().openapi({ description: 'Whether the caller may open it now' }),
    order_index: z.number().int(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('KmsResource')

export const CreateKmsBody = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('document'),
      title: z.string().trim().min(1).max(300),
      body: z.string().min(1).max(500000),
      available_in_advance: z.boolean().default(false),
    }),
    z.object({
      type: z.literal('link'),
      title: z.string().trim().min(1).max(300),
      url: z.url({ protocol: /^https?$/ }).max(2000),
      available_in_advance: z.boolean().default(false),
    }),
  ])
  .openapi('CreateKmsResource', {
    example: {
      type: 'link',
      title: 'Le système solaire (NASA)',
      url: 'https://science.nasa.gov/solar-system/',
      available_in_advance: false,
    },
  })

export const UpdateKmsBody = z
  .object({
    title: z.string().trim().min(1).max(300).optional(),
    body: z.string().min(1).max(500000).optional(),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    available_in_advance: z.boolean().optional(),
  })
  .openapi('UpdateKmsResource', { example: { available_in_advance: true } })

export const KmsUploadForm = z
  .object({
    file: z
      .custom<File>((value) => value instanceof File, 'attach the file in the "file" field')
      .openapi({ type: 'string', format: 'binary' }),
    title: z.string().trim().max(300).optional(),
    available_in_advance: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .openapi('UploadKmsFile')

export const KmsListSchema = z
  .object({
    data: z.array(KmsResourceSchema),
    locked: z
      .number()
      .int()
      .openapi({ description: 'Resources the caller will see once the course is completed' }),
  })
  .openapi('KmsList')
