import { z } from '@hono/zod-openapi'
import { Timestamp } from '../schemas.ts'

export const PlaybackSchema = z
  .discriminatedUnion('source', [
    z.object({ source: z.literal('url'), url: z.string(), duration_sec: z.number() }),
    z.object({
      source: z.literal('stream'),
      uid: z.string(),
      duration_sec: z.number(),
      token: z
        .string()
        .nullable()
        .openapi({ description: 'Signed token to use in place of the uid (private videos)' }),
      token_expires_at: Timestamp.nullable(),
    }),
  ])
  .openapi('Playback')
