import { z } from '@hono/zod-openapi'
import { ClassParams, idParam } from '../schemas.ts'

export const CaptionParams = ClassParams.extend({
  caption_id: idParam('caption_id', 'ca7f1e00-1234-4abc-8def-0123456789ab'),
})

export const CaptionUploadForm = z
  .object({
    file: z
      .custom<File>((value) => value instanceof File, 'attach the WebVTT file in the "file" field')
      .openapi({ type: 'string', format: 'binary' }),
    language: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language tag such as fr, en or pt-BR')
      .openapi({ example: 'fr' }),
    label: z.string().trim().min(1).max(100).openapi({ example: 'Français' }),
  })
  .openapi('UploadCaption')

export const CaptionSchema = z
  .object({
    id: z.string(),
    language: z.string(),
    label: z.string(),
    size: z.number().int(),
    created_at: z.string(),
    url: z.string().openapi({ description: 'Where the player loads the track (text/vtt)' }),
  })
  .openapi('Caption')
