import type { Context } from 'hono'
import type { AppEnv, Identity } from '../../core/http/context.ts'
import { unauthorized } from '../../core/http/errors.ts'

// The caller as identity's route handlers read it, and the cookies they set.

export function identityOf(c: Context<AppEnv>): Identity {
  const identity = c.get('identity')
  if (!identity) throw unauthorized()
  return identity
}

/** The caller as a member of their active organisation, which the route's access rule set. */
export const memberOf = (c: Context<AppEnv>) => c.get('member')

export function withCookies(c: Context<AppEnv>, cookies: string[]) {
  for (const cookie of cookies) c.header('Set-Cookie', cookie, { append: true })
}
