import type { Context } from 'hono'
import type { AppEnv } from '../../../core/http/context.ts'
import { AppError, badRequest } from '../../../core/http/errors.ts'
import { queuePasswordResetMail } from '../account-mails.ts'
import { callAuthEndpoint } from '../auth.ts'
import type { IdentityDeps } from '../deps.ts'
import { assertStrongPassword } from '../password-strength.ts'
import * as repo from '../repository.ts'
import * as limits from '../sign-in-limits.ts'

function rateLimited(response: Response): AppError {
  const seconds = Number(response.headers.get('x-retry-after')) || 60
  return new AppError(429, 'rate_limited', 'Too many requests: wait a minute and try again', {
    retry_after_seconds: seconds,
  })
}

/** The least time a reset request takes to answer, whatever the address. */
const RESET_ANSWER_FLOOR_MS = 200

const invalidLink = () =>
  badRequest(
    'reset_link_invalid',
    'This reset link does not work: it has been used, it has expired, or it is incomplete. Ask for a new one',
  )

/**
 * "Forgot password": better-auth looks the address up, stores a single-use token for an account, and calls
 * `resetRequested`, which queues the e-mail. The answer is the same whether or not an account uses the
 * address, in whichever school, and takes the same time (RESET_ANSWER_FLOOR_MS).
 */
export async function requestPasswordReset(deps: IdentityDeps, c: Context<AppEnv>, email: string) {
  const started = performance.now()
  const response = await callAuthEndpoint(deps.auth, '/request-password-reset', c.req.raw, c.var.clientIp, {
    email,
  })
  if (response.status === 429) throw rateLimited(response)
  if (!response.ok) throw new Error(`better-auth refused a reset request (${response.status})`)
  // A known address costs a token and an e-mail more than an unknown one (a few tens of milliseconds):
  // every answer waits until the same floor, so that the time does not tell them apart either.
  const wait = RESET_ANSWER_FLOOR_MS - (performance.now() - started)
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
}

/** better-auth's sendResetPassword: e-mails the link, unless the account has had its share of them lately. */
export async function resetRequested(deps: IdentityDeps, userId: string, token: string) {
  const nowMs = deps.clock.now().getTime()
  if (!(await limits.mayMailReset(deps.db, deps.signInLimits, userId, nowMs))) return
  await queuePasswordResetMail(deps, userId, token)
}

/**
 * Sets a new password from a reset link, through better-auth, which spends the token, signs every session of
 * the account out and writes the password in one transaction. The new password must pass the same strength
 * rule as at sign-up; failed sign-ins counted against the account are forgotten.
 */
export async function resetPassword(
  deps: IdentityDeps,
  c: Context<AppEnv>,
  input: { token: string; new_password: string },
) {
  const context = await deps.auth.$context
  const verification = await context.internalAdapter.findVerificationValue(`reset-password:${input.token}`)
  if (!verification || verification.expiresAt < new Date()) throw invalidLink()
  const user = await repo.getUser(deps.db, verification.value)
  if (!user) throw invalidLink()
  await assertStrongPassword(input.new_password, [user.name, user.email])
  const response = await callAuthEndpoint(deps.auth, '/reset-password', c.req.raw, c.var.clientIp, {
    token: input.token,
    newPassword: input.new_password,
  })
  if (response.status === 429) throw rateLimited(response)
  if (!response.ok) throw invalidLink()
  await limits.forgetAccountFailures(deps.db, user.email)
}
