import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema.gen.ts'

export type Schemas = components['schemas']

/** An answer of the API that is not a success, with the shared error shape `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

// Every failed call becomes an ApiError, so pages handle one kind of failure (and TanStack Query sees it).
const throwOnError: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return undefined
    const body = (await response
      .clone()
      .json()
      .catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null
    throw new ApiError(
      response.status,
      body?.error?.code ?? `http_${response.status}`,
      body?.error?.message ?? response.statusText,
      (body?.error?.details as Record<string, unknown>) ?? {},
    )
  },
}

/** The typed API client: paths, parameters and bodies come from the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' })
api.use(throwOnError)

/** The data of a successful call (failures have already thrown). */
export function data<T>(result: { data?: T }): T {
  return result.data as T
}

/** A page of a list answered as a bare array, with its total across all pages (the X-Total-Count header). */
export function withTotal<T>(result: { data?: T[]; response: Response }): { data: T[]; total: number } {
  return { data: result.data ?? [], total: Number(result.response.headers.get('X-Total-Count') ?? 0) }
}
