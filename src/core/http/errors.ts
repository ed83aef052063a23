import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** The one error body every endpoint answers with. */
export type ErrorBody = { error: { code: string; message: string; details?: unknown } }

/** An expected failure with its HTTP status; anything else is a bug and becomes a 500. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(400, code, message, details)
export const unauthorized = (message = 'Authentication required', code = 'unauthorized') =>
  new AppError(401, code, message)
export const forbidden = (message = 'You are not allowed to do this', code = 'forbidden') =>
  new AppError(403, code, message)
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`)
export const conflict = (code: string, message: string, details?: unknown) =>
  new AppError(409, code, message, details)

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } }
}
