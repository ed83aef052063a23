import { z } from '@hono/zod-openapi'

// Schema pieces the catalog's sub-domains share: ids, timestamps, tags, media, and the course and step params.

export const Timestamp = z.string().openapi({ example: '2026-11-22T09:30:00.000Z' })
export const Id = z.string().min(1).max(64)
export const Ids = z.array(Id).max(5000)
export const Tags = z.array(z.string().trim().min(1).max(100)).max(50)
// Unified.to's LmsMedia: every field optional, a TEXT or HTML item carries its `content` instead of a URL.
const mediaTypes = ['IMAGE', 'HEADSHOT', 'VIDEO', 'WEB', 'DOCUMENT', 'TEXT', 'HTML', 'OTHER'] as const
export const MediaSchema = z
  .array(
    z.object({
      url: z.url().max(2000).optional(),
      name: z.string().max(200).optional(),
      description: z.string().max(2000).optional(),
      type: z.enum(mediaTypes).optional(),
      thumbnail_url: z.url().max(2000).optional(),
      content: z.string().max(200000).optional(),
      languages: z.array(z.string().trim().min(2).max(20)).max(20).optional(),
    }),
  )
  .max(20)

export type MediaItem = z.infer<typeof MediaSchema>[number]

export const idParam = (name: string, example: string) => Id.openapi({ param: { name, in: 'path' }, example })

export const CourseParams = z.object({ id: idParam('id', '7c1e3a52-5f0d-4c7e-9b1a-2d8f6e4a0b13') })
export const ClassParams = z.object({ id: idParam('id', 'b2f0d6c4-1a3e-4f57-8c9d-0e1a2b3c4d5e') })
