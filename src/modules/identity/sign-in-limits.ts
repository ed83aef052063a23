import { sql } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import { AppError } from '../../core/http/errors.ts'

/** How many failed sign-ins an account, and a client address, may have in one window. */
export type SignInLimits = {
  failuresPerAccount: number
  failuresPerAddress: number
  windowMs: number
}

type Counted = { key: string; windowStart: number }

/** The attempt under way, counted as a failure until it is known to have succeeded. */
export type SignInAttempt = { account: Counted; address: Counted }

export const accountKey = (email: string) => `account:${email.toLowerCase()}`
/** The count of reset e-mails an account has had in the current window. */
export const resetKey = (userId: string) => `reset:${userId}`
// Without a known address (no socket, untrusted proxy) every such request shares one bucket.
const addressKey = (clientIp: string | undefined) => `address:${clientIp ?? 'unknown'}`

/** Adds one to the key's count in the current window (a new window starts at 1) and returns the new count. */
async function consume(db: Db, key: string, nowMs: number, windowMs: number) {
  const expired = sql<boolean>`sign_in_failures.window_start <= ${nowMs - windowMs}`
  const row = await db
    .insertInto('sign_in_failures')
    .values({ key, count: 1, window_start: nowMs })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when ${expired} then 1 else sign_in_failures.count + 1 end`,
        window_start: sql`case when ${expired} then excluded.window_start else sign_in_failures.window_start end`,
      }),
    )
    .returning(['count', 'window_start'])
    .executeTakeFirstOrThrow()
  // PostgreSQL returns bigint as a string.
  return { key, count: Number(row.count), windowStart: Number(row.window_start) }
}

/** Takes back one count, unless the window it was counted in has ended since. */
async function release(db: Db, counted: Counted) {
  await db
    .updateTable('sign_in_failures')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('key', '=', counted.key)
    .where('window_start', '=', counted.windowStart)
    .where('count', '>', 0)
    .execute()
}

function tooMany(windowStart: number, nowMs: number, limits: SignInLimits): AppError {
  const seconds = Math.max(1, Math.ceil((windowStart + limits.windowMs - nowMs) / 1000))
  return new AppError(429, 'rate_limited', 'Too many failed sign-in attempts: wait and try again', {
    retry_after_seconds: seconds,
  })
}

/**
 * Counts a sign-in attempt against its account and its client address before the password is checked, so
 * that concurrent guesses cannot all slip under the limit; throws 429 when either has used up its failures.
 * The caller then reports the outcome: only failures stay counted.
 */
export async function beginSignIn(
  db: Db,
  limits: SignInLimits,
  email: string,
  clientIp: string | undefined,
  nowMs: number,
): Promise<SignInAttempt> {
  const account = await consume(db, accountKey(email), nowMs, limits.windowMs)
  if (account.count > limits.failuresPerAccount) {
    await release(db, account)
    throw tooMany(account.windowStart, nowMs, limits)
  }
  const address = await consume(db, addressKey(clientIp), nowMs, limits.windowMs)
  if (address.count > limits.failuresPerAddress) {
    await Promise.all([release(db, account), release(db, address)])
    throw tooMany(address.windowStart, nowMs, limits)
  }
  return { account, address }
}

/** A successful sign-in is no failure: the account starts afresh and the address gets its count back. */
export async function signInSucceeded(db: Db, attempt: SignInAttempt) {
  await db.deleteFrom('sign_in_failures').where('key', '=', attempt.account.key).execute()
  await release(db, attempt.address)
}

/** The attempt ended without judging the password (a refused or broken request): it counts for nothing. */
export async function signInAbandoned(db: Db, attempt: SignInAttempt) {
  await Promise.all([release(db, attempt.account), release(db, attempt.address)])
}

/** A wrong password stays counted; counters of ended windows are removed on the way. */
export async function signInFailed(db: Db, limits: SignInLimits, nowMs: number) {
  await db
    .deleteFrom('sign_in_failures')
    .where('window_start', '<=', nowMs - limits.windowMs)
    .execute()
}

/** Reset e-mails one account may receive in one window, whoever asks and from wherever. */
const RESET_MAILS_PER_WINDOW = 3

/**
 * Counts one more reset e-mail for this account in the current window: false once it has had its share, so
 * that nobody can flood a mailbox. The caller then sends nothing, and answers as always.
 */
export async function mayMailReset(db: Db, limits: SignInLimits, userId: string, nowMs: number) {
  const counted = await consume(db, resetKey(userId), nowMs, limits.windowMs)
  return counted.count <= RESET_MAILS_PER_WINDOW
}

/** A new password: the failed sign-ins counted against the account are forgotten. */
export async function forgetAccountFailures(db: Db, email: string) {
  await db.deleteFrom('sign_in_failures').where('key', '=', accountKey(email)).execute()
}
