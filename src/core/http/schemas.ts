import { z } from '@hono/zod-openapi'

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string().openapi({ example: 'Member not found' }),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error')

const descriptions = {
  400: 'Invalid request',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Request body too large',
  429: 'Too many requests',
} as const

type ErrorStatus = keyof typeof descriptions

/** The error responses of a route, for its OpenAPI description. */
export function errorResponses(...statuses: ErrorStatus[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: descriptions[s], content: { 'application/json': { schema: ErrorSchema } } },
    ]),
  ) as {
    [S in ErrorStatus]: {
      description: string
      content: { 'application/json': { schema: typeof ErrorSchema } }
    }
  }
}

/** `{ 'application/json': { schema } }`, the only body type the API speaks. */
export function json<T>(schema: T) {
  return { content: { 'application/json': { schema } } }
}

export const PaginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100).openapi({ example: 100 }),
  offset: z.coerce.number().int().min(0).default(0).openapi({ example: 0 }),
})

/** Lists answered as a bare array (Unified.to's shapes) give their total across all pages in this header. */
export const TOTAL_COUNT_HEADER = 'X-Total-Count'

export const TotalCountHeaders = z.object({
  [TOTAL_COUNT_HEADER]: z.number().int().min(0).openapi({
    description: 'How many items match the filters across all pages (`limit` and `offset` aside)',
    example: 60,
  }),
})
