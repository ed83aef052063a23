/**
 * True for a unique-constraint violation on any dialect. Checks before writes catch the usual case;
 * this catches the race where two requests pass the check at once.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false
  const code = (err as { code: unknown }).code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

// Node's socket errors on the way to the database server.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
])
// SQLSTATEs of a server that is going away, refusing connections, out of resources or past a timeout:
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 57014 query_canceled
// (statement_timeout), 25P03 idle_in_transaction_session_timeout, 55P03 lock_not_available.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '25P03', '55P03'])
// Classes 08 (connection exception) and 53 (insufficient resources: too many connections, disk full).
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53'])
// What pg itself throws, without a code, when a connection breaks, cannot be had in time, or times out.
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /is not queryable$/,
]

function unavailableItself(err: object): boolean {
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined
  if (code !== undefined) {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true
    if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_SQLSTATE_CLASSES.has(code.slice(0, 2))) return true
    if (code.startsWith('SQLITE_BUSY')) return true
  }
  const message = 'message' in err && typeof err.message === 'string' ? err.message : ''
  return PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(message))
}

/**
 * True when the database could not answer (down, restarting, stalled, busy past a timeout), as opposed to
 * refusing the query: the request may succeed if tried again. Follows `cause` and the errors of an
 * AggregateError (a host name with several addresses).
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false
  if (unavailableItself(err)) return true
  if (err instanceof AggregateError && err.errors.some((e) => isDatabaseUnavailable(e, depth + 1)))
    return true
  return 'cause' in err && isDatabaseUnavailable(err.cause, depth + 1)
}
