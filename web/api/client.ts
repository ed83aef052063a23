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

// The answers the server wrote into the page for its first drawing (src/entry/web-app.ts), by path. Each
// serves once, and only on the page it came with: later calls, and other pages, ask the API.
const pagePath = window.location.pathname
const answersInPage = readAnswersInPage()

function readAnswersInPage(): Map<string, string> {
  try {
    const answers = JSON.parse(document.getElementById('sillon-answers')?.textContent || '{}')
    return new Map(Object.entries(answers as object).map(([path, body]) => [path, JSON.stringify(body)]))
  } catch {
    return new Map()
  }
}

/**
 * The answer to GET `path` the server wrote into this page, for a query's `initialData`: the page draws with
 * it at once, and the query's own first call is answered from it too, so that it asks the network only later.
 */
export function answerInPage<T>(path: string): T | undefined {
  const body = window.location.pathname === pagePath ? answersInPage.get(path) : undefined
  return body === undefined ? undefined : (JSON.parse(body) as T)
}

const useAnswerInPage: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' || window.location.pathname !== pagePath) return undefined
    const url = new URL(request.url)
    const body = answersInPage.get(url.pathname + url.search)
    if (body === undefined) return undefined
    answersInPage.delete(url.pathname + url.search)
    return new Response(body, { headers: { 'Content-Type': 'application/json' } })
  },
}

/** The typed API client: paths, parameters and bodies come from the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' })
api.use(useAnswerInPage, throwOnError)

/** The data of a successful call (failures have already thrown). */
export function data<T>(result: { data?: T }): T {
  return result.data as T
}

/** A page of a list answered as a bare array, with its total across all pages (the X-Total-Count header). */
export function withTotal<T>(result: { data?: T[]; response: Response }): { data: T[]; total: number } {
  return { data: result.data ?? [], total: Number(result.response.headers.get('X-Total-Count') ?? 0) }
}
