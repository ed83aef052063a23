import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './context.ts'
import { errorBody } from './errors.ts'

/** Deepest nesting of arrays and objects a JSON body may have; no request of the API needs more than a few. */
export const MAX_JSON_DEPTH = 64

const NUL = '\u0000'
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i

type Path = (string | number)[]

/**
 * Where the first string or key holding a NUL character sits in a decoded value (a JSON body, validated
 * input), or null. PostgreSQL stores no NUL in text nor in jsonb. Walks with its own stack: how deep the
 * value nests is not trusted.
 */
export function findNul(value: unknown): Path | null {
  const stack: [unknown, Path][] = [[value, []]]
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [current, path] = entry
    if (typeof current === 'string') {
      if (current.includes(NUL)) return path
    } else if (current instanceof File) {
      // An uploaded file's name is stored; its content is bytes, which may hold anything.
      if (current.name.includes(NUL)) return path
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => {
        stack.push([item, [...path, i]])
      })
    } else if (isPlainObject(current)) {
      for (const [key, item] of Object.entries(current)) {
        if (key.includes(NUL)) return [...path, key]
        stack.push([item, [...path, key]])
      }
    }
  }
  return null
}

/** Whether arrays and objects nest deeper than `max` levels in a decoded JSON value (iterative, like findNul). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [current, depth] = entry
    if (typeof current !== 'object' || current === null) continue
    if (depth + 1 > max) return true
    for (const item of Array.isArray(current) ? current : Object.values(current))
      stack.push([item, depth + 1])
  }
  return false
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** The dotted form of a path, as validation issues name fields. */
export const dotted = (path: Path) => path.join('.')

/** The 400 answered for a NUL character, with the place it was found. */
export function nulRefused(c: Context, where: string) {
  return c.json(
    errorBody('validation_failed', `Invalid request: ${where}: must not contain the NUL character`, {
      issues: [{ path: where, message: 'must not contain the NUL character' }],
    }),
    400,
  )
}

function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname)
  } catch {
    return pathname
  }
}

/**
 * Refuses, before any route or credential lookup reads them, a NUL character in the decoded URL (path and
 * query) or in a JSON body, and JSON bodies nested deeper than MAX_JSON_DEPTH (whose handling would
 * exhaust the stack). A JSON body is parsed once here: the routes' validators, and a route that needs the
 * raw text (the Tally hook checks its signature on it), read it from Hono's body cache.
 */
export function inputGuards(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url)
    if (decodedPath(url.pathname).includes(NUL)) return nulRefused(c, 'path')
    for (const [key, value] of url.searchParams) {
      if (key.includes(NUL) || value.includes(NUL)) return nulRefused(c, `query.${key}`)
    }
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? ''
    if (!JSON_MEDIA_TYPE.test(mediaType)) return next()
    const text = await c.req.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      // Malformed JSON: the route's validator answers it.
      return next()
    }
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
      return c.json(
        errorBody(
          'validation_failed',
          `Invalid request: the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`,
        ),
        400,
      )
    }
    const at = findNul(body)
    if (at) return nulRefused(c, dotted(['body', ...at]))
    c.req.bodyCache.json = body
    return next()
  }
}
