import { betterAuth } from 'better-auth'
import type { Logger } from 'pino'
import type { Db, SqlDialect } from '../../core/db/database.ts'
import { RESET_LINK_SECONDS } from './account-mails.ts'
import { type PasswordHasher, scryptPasswordHasher } from './password-hasher.ts'

export type AuthSettings = {
  secret: string
  publicUrl: string
  trustedOrigins: readonly string[]
  sessionTtlDays: number
  /** Default: scrypt. */
  passwordHasher?: PasswordHasher
  /** Sends the reset link of this token to the account (better-auth has stored the token, hashed). */
  onResetRequested?: (userId: string, token: string) => Promise<void>
  /** A reset link has set a new password (and signed the account's sessions out). */
  onPasswordReset?: (userId: string) => Promise<void>
}

const CLIENT_IP_HEADER = 'x-sillon-client-ip'
const BASE_PATH = '/api/auth'

/**
 * better-auth runs Sillon's password sign-in and browser sessions: scrypt password hashes, signed
 * HTTP-only cookies, session expiry and refresh, and per-address rate limiting of its other endpoints stored
 * in the database (so it holds across nodes). Sign-in is limited by Sillon itself (sign-in-limits.ts), which
 * counts failures only. Its tables are created by Sillon's migrations under our names.
 * Organisations, memberships, invitations and API tokens are Sillon's own (see service.ts for why).
 */
export function createAuth(db: Db, dialect: SqlDialect, settings: AuthSettings, logger: Logger) {
  const timestamps = { createdAt: 'created_at', updatedAt: 'updated_at' }
  return betterAuth({
    appName: 'Sillon',
    secret: settings.secret,
    baseURL: settings.publicUrl,
    basePath: BASE_PATH,
    trustedOrigins: [...settings.trustedOrigins],
    database: { db, type: dialect },
    telemetry: { enabled: false },
    emailAndPassword: {
      enabled: true,
      // Accounts come from administrators and invitations, never from public sign-up.
      disableSignUp: true,
      minPasswordLength: 8,
      maxPasswordLength: 256,
      password: settings.passwordHasher ?? scryptPasswordHasher,
      // "Forgot password": better-auth stores a single-use token (hashed, see verification below) and
      // answers the same whether or not the address has an account; Sillon e-mails the link.
      sendResetPassword: async ({ user, token }) => settings.onResetRequested?.(user.id, token),
      resetPasswordTokenExpiresIn: RESET_LINK_SECONDS,
      // A reset signs every session of the account out, in the transaction that sets the password.
      revokeSessionsOnPasswordReset: true,
      onPasswordReset: async ({ user }) => settings.onPasswordReset?.(user.id),
    },
    user: {
      modelName: 'users',
      fields: { emailVerified: 'email_verified', ...timestamps },
    },
    account: {
      modelName: 'auth_accounts',
      fields: {
        accountId: 'account_id',
        providerId: 'provider_id',
        userId: 'user_id',
        accessToken: 'access_token',
        refreshToken: 'refresh_token',
        idToken: 'id_token',
        accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at',
        ...timestamps,
      },
    },
    session: {
      modelName: 'sessions',
      expiresIn: settings.sessionTtlDays * 24 * 60 * 60,
      updateAge: 24 * 60 * 60,
      fields: {
        expiresAt: 'expires_at',
        ipAddress: 'ip_address',
        userAgent: 'user_agent',
        userId: 'user_id',
        ...timestamps,
      },
      additionalFields: {
        activeOrgId: { type: 'string', required: false, input: false, fieldName: 'active_org_id' },
      },
    },
    verification: {
      modelName: 'auth_verifications',
      fields: { expiresAt: 'expires_at', ...timestamps },
      // Reset tokens are kept as hashes: a copy of the database holds no working link.
      storeIdentifier: 'hashed',
    },
    rateLimit: {
      enabled: true,
      storage: 'database',
      modelName: 'auth_rate_limits',
      fields: { lastRequest: 'last_request' },
      // better-auth counts every sign-in, successful or not: a class behind one address would lock itself out.
      // Reset requests: better-auth allows 3 a minute from one address; a class behind one address may need
      // more. Each account gets few reset e-mails whatever the address (sign-in-limits.ts, mayMailReset).
      customRules: { '/sign-in/email': false, '/request-password-reset': { window: 60, max: 20 } },
    },
    advanced: {
      cookiePrefix: 'sillon',
      useSecureCookies: settings.publicUrl.startsWith('https://'),
      database: { generateId: () => crypto.randomUUID() },
      // Set by Sillon itself from the socket or a trusted proxy, never taken from the client.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    logger: {
      level: 'warn',
      log: (level, message, ...args) => logger[level]({ args }, `better-auth: ${message}`),
    },
  })
}

export type Auth = ReturnType<typeof createAuth>

/**
 * Calls one of better-auth's endpoints through its full request pipeline (origin checks, rate limits,
 * cookies), so Sillon's own routes keep their paths, error shape and OpenAPI description.
 */
export async function callAuthEndpoint(
  auth: Auth,
  endpoint:
    | '/sign-in/email'
    | '/sign-out'
    | '/change-password'
    | '/request-password-reset'
    | '/reset-password',
  from: Request,
  clientIp: string | undefined,
  body: unknown,
): Promise<Response> {
  const headers = new Headers()
  for (const name of ['cookie', 'user-agent']) {
    const value = from.headers.get(name)
    if (value) headers.set(name, value)
  }
  const baseUrl = auth.options.baseURL as string
  // Sillon's cross-site protection has already vetted the caller; present it as same-origin.
  headers.set('origin', new URL(baseUrl).origin)
  headers.set('content-type', 'application/json')
  if (clientIp) headers.set(CLIENT_IP_HEADER, clientIp)
  const url = new URL(`${BASE_PATH}${endpoint}`, baseUrl)
  return auth.handler(new Request(url, { method: 'POST', headers, body: JSON.stringify(body ?? {}) }))
}
