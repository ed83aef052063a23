import type { Context } from 'hono'
import { tokenFromAuthorization } from '../../../core/http/authorization.ts'
import type { AppEnv, Identity } from '../../../core/http/context.ts'
import { AppError, badRequest, notFound, unauthorized } from '../../../core/http/errors.ts'
import { sha256Hex } from '../../../core/ids.ts'
import { queuePasswordChangedMail } from '../account-mails.ts'
import { callAuthEndpoint } from '../auth.ts'
import type { CfAccessVerifier } from '../cf-access.ts'
import { CfAccessError, CfAccessUnavailableError } from '../cf-access.ts'
import { type IdentityDeps, now } from '../deps.ts'
import { assertStrongPassword } from '../password-strength.ts'
import * as repo from '../repository.ts'
import * as limits from '../sign-in-limits.ts'
import type { Locale } from '../tables.ts'
import { TOKEN_PREFIX } from '../tokens/service.ts'
import { meView } from './presenters.ts'

const TOKEN_TOUCH_INTERVAL_MS = 60_000

async function identityFor(
  deps: IdentityDeps,
  user: { id: string; email: string; name: string; is_superadmin: number; last_org_id: string | null },
  preferredOrgId: string | null,
  via: Identity['via'],
): Promise<Identity> {
  const base = {
    userId: user.id,
    email: user.email,
    name: user.name,
    isSuperadmin: user.is_superadmin === 1,
    via,
  }
  for (const orgId of [preferredOrgId, user.last_org_id]) {
    if (!orgId) continue
    const membership = await repo.getMembership(deps.db, orgId, user.id)
    if (membership) return { ...base, orgId, role: membership.role }
    if (base.isSuperadmin && (await repo.getOrganisation(deps.db, orgId)))
      return { ...base, orgId, role: 'owner' }
  }
  const [first] = await repo.listMembershipsOfUser(deps.db, user.id)
  return first ? { ...base, orgId: first.id, role: first.role } : { ...base, orgId: null, role: null }
}

async function authenticateToken(deps: IdentityDeps, token: string): Promise<Identity> {
  const row = token.startsWith(TOKEN_PREFIX)
    ? await repo.findApiTokenByHash(deps.db, await sha256Hex(token))
    : undefined
  const at = deps.clock.now()
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= at.toISOString())) {
    throw unauthorized('This API token is not valid (unknown, revoked or expired)', 'invalid_token')
  }
  const [user, membership] = await Promise.all([
    repo.getUser(deps.db, row.user_id),
    repo.getMembership(deps.db, row.org_id, row.user_id),
  ])
  if (!user || !membership)
    throw unauthorized('This API token is not valid (unknown, revoked or expired)', 'invalid_token')
  if (!row.last_used_at || at.getTime() - Date.parse(row.last_used_at) > TOKEN_TOUCH_INTERVAL_MS) {
    await repo.touchApiToken(deps.db, row.org_id, row.id, at.toISOString())
  }
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    isSuperadmin: user.is_superadmin === 1,
    orgId: row.org_id,
    role: membership.role,
    via: 'token',
    tokenId: row.id,
  }
}

async function authenticateCfAccess(deps: IdentityDeps, verify: CfAccessVerifier, assertion: string) {
  let email: string
  try {
    email = (await verify(assertion)).email
  } catch (err) {
    if (err instanceof CfAccessError) throw unauthorized(err.message, 'invalid_access_token')
    if (err instanceof CfAccessUnavailableError)
      throw new AppError(503, 'access_keys_unavailable', err.message)
    throw err
  }
  const user = await repo.findUserByEmail(deps.db, email)
  if (!user)
    throw unauthorized(
      'No Sillon account uses the e-mail of this Cloudflare Access identity',
      'unknown_account',
    )
  return identityFor(deps, user, null, 'cf-access')
}

/**
 * Resolves the caller: an API token (`Authorization: Bearer <token>`, or the token alone), a Cloudflare
 * Access assertion when configured, or the session cookie. A credential that is present but invalid is an
 * error, not anonymity.
 */
export async function authenticate(deps: IdentityDeps, c: Context<AppEnv>): Promise<Identity | null> {
  const authorization = c.req.header('authorization')
  if (authorization) {
    const token = tokenFromAuthorization(authorization)
    if (!token) throw unauthorized('Use "Authorization: Bearer <token>"', 'invalid_token')
    return authenticateToken(deps, token)
  }
  const assertion = c.req.header('cf-access-jwt-assertion')
  if (assertion && deps.cfAccess) return authenticateCfAccess(deps, deps.cfAccess, assertion)
  if (!c.req.header('cookie')) return null
  const result = await deps.auth.api.getSession({
    headers: c.req.raw.headers,
    query: { disableRefresh: false },
  })
  if (!result) return null
  const user = await repo.getUser(deps.db, result.user.id)
  if (!user) return null
  const identity = await identityFor(deps, user, result.session.activeOrgId ?? null, 'session')
  return { ...identity, sessionId: result.session.id }
}

export async function describeMe(deps: IdentityDeps, identity: Identity) {
  const user = await repo.getUser(deps.db, identity.userId)
  if (!user) throw unauthorized()
  const organisations = await repo.listMembershipsOfUser(deps.db, identity.userId)
  const org = identity.orgId ? await repo.getOrganisation(deps.db, identity.orgId) : undefined
  const [student, instructor] = identity.orgId
    ? await Promise.all([
        repo.findPersonOfUser(deps.db, identity.orgId, 'lms_student', identity.userId),
        repo.findPersonOfUser(deps.db, identity.orgId, 'lms_instructor', identity.userId),
      ])
    : [undefined, undefined]
  return meView(identity, user, org ?? null, organisations, {
    studentId: student?.id ?? null,
    instructorId: instructor?.id ?? null,
  })
}

/** Makes another organisation the active one for this browser session and the next sign-ins. */
export async function switchOrganisation(
  deps: IdentityDeps,
  identity: Identity,
  orgId: string,
): Promise<Identity> {
  if (identity.via === 'token') {
    throw badRequest(
      'token_bound',
      'An API token belongs to one organisation; create a token in the other one',
    )
  }
  const membership = await repo.getMembership(deps.db, orgId, identity.userId)
  // Organisations the caller does not belong to do not exist for them.
  if (!membership && !(identity.isSuperadmin && (await repo.getOrganisation(deps.db, orgId)))) {
    throw notFound('Organisation')
  }
  await repo.setLastOrganisation(deps.db, identity.userId, orgId)
  if (identity.sessionId) await repo.setSessionOrganisation(deps.db, identity.sessionId, orgId)
  return { ...identity, orgId, role: membership?.role ?? 'owner' }
}

/** Changes the caller's own name or interface language. */
export async function updateProfile(
  deps: IdentityDeps,
  identity: Identity,
  patch: { name?: string; locale?: Locale | null },
) {
  await repo.updateUser(deps.db, identity.userId, patch, now(deps))
  return describeMe(deps, identity)
}

/**
 * Changes the caller's password after checking the current one (through better-auth, which limits attempts).
 * Signing out other sessions replaces this session's cookie too.
 */
export async function changePassword(
  deps: IdentityDeps,
  c: Context<AppEnv>,
  identity: Identity,
  input: { current_password: string; new_password: string; sign_out_other_sessions: boolean },
): Promise<string[]> {
  if (identity.via !== 'session') {
    throw badRequest('session_required', 'Change your password from a signed-in browser session')
  }
  await assertStrongPassword(input.new_password, [identity.name, identity.email])
  const response = await callAuthEndpoint(deps.auth, '/change-password', c.req.raw, c.var.clientIp, {
    currentPassword: input.current_password,
    newPassword: input.new_password,
    revokeOtherSessions: input.sign_out_other_sessions,
  })
  if (response.status === 429) {
    throw new AppError(429, 'rate_limited', 'Too many attempts: wait a minute and try again')
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: string }
    if (body.code === 'CREDENTIAL_ACCOUNT_NOT_FOUND') {
      throw badRequest('no_password', 'This account signs in without a password (Cloudflare Access)')
    }
    throw badRequest('invalid_password', 'The current password is not right')
  }
  // Confirmed to the account's address: its owner learns of a change they did not make.
  await queuePasswordChangedMail(deps, identity.userId)
  return response.headers.getSetCookie()
}

const authFailure: Record<number, [string, string]> = {
  401: ['invalid_credentials', 'Invalid e-mail or password'],
  403: ['forbidden', 'Sign-in refused'],
}

/** Opens a session through better-auth's sign-in endpoint; its Set-Cookie headers and session token. */
async function openSession(
  deps: IdentityDeps,
  c: Context<AppEnv>,
  credentials: { email: string; password: string },
) {
  const response = await callAuthEndpoint(deps.auth, '/sign-in/email', c.req.raw, c.var.clientIp, {
    ...credentials,
    rememberMe: true,
  })
  if (!response.ok) return { ok: false as const, status: response.status }
  const body = (await response.json()) as { token: string; user: { id: string } }
  return {
    ok: true as const,
    token: body.token,
    userId: body.user.id,
    setCookies: response.headers.getSetCookie(),
  }
}

/**
 * Signs in with e-mail and password; returns better-auth's Set-Cookie headers for the session. Failed
 * attempts are limited per account and per client address (see sign-in-limits.ts); successes are free.
 */
export async function login(
  deps: IdentityDeps,
  c: Context<AppEnv>,
  credentials: { email: string; password: string },
) {
  const attempt = await limits.beginSignIn(
    deps.db,
    deps.signInLimits,
    credentials.email,
    c.var.clientIp,
    deps.clock.now().getTime(),
  )
  let session: Awaited<ReturnType<typeof openSession>>
  try {
    session = await openSession(deps, c, credentials)
  } catch (err) {
    await limits.signInAbandoned(deps.db, attempt)
    throw err
  }
  if (!session.ok) {
    if (session.status === 401)
      await limits.signInFailed(deps.db, deps.signInLimits, deps.clock.now().getTime())
    else await limits.signInAbandoned(deps.db, attempt)
    const [code, message] = authFailure[session.status] ?? authFailure[401]!
    throw new AppError(session.status === 403 ? 403 : 401, code, message)
  }
  await limits.signInSucceeded(deps.db, attempt)
  return sessionIdentity(deps, session)
}

/**
 * Opens the session of an account that this request has just created with this password. It does not go
 * through the sign-in limits: the password was chosen here, not guessed, and accepting an invitation
 * answers its own outcome (a limited address must not turn a created account into a 429). Null if
 * better-auth refuses, in which case the person signs in as usual.
 */
export async function signInCreatedAccount(
  deps: IdentityDeps,
  c: Context<AppEnv>,
  credentials: { email: string; password: string },
) {
  const session = await openSession(deps, c, credentials)
  return session.ok ? sessionIdentity(deps, session) : null
}

async function sessionIdentity(
  deps: IdentityDeps,
  session: { token: string; userId: string; setCookies: string[] },
) {
  const user = await repo.getUser(deps.db, session.userId)
  if (!user) throw unauthorized()
  const identity = await identityFor(deps, user, null, 'session')
  if (identity.orgId) await repo.setOrganisationOfSessionToken(deps.db, session.token, identity.orgId)
  return { identity, setCookies: session.setCookies }
}

export async function logout(deps: IdentityDeps, c: Context<AppEnv>) {
  const response = await callAuthEndpoint(deps.auth, '/sign-out', c.req.raw, c.var.clientIp, {})
  return response.headers.getSetCookie()
}
