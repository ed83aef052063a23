import { z } from 'zod'
import { assertValidSchedule } from './jobs/schedule.ts'

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const optionalString = z.string().trim().optional()

/** A PEM text, or base64 of one (Cloudflare's `pem` field); the signer checks the key itself. */
function looksLikePem(value: string): boolean {
  const text = value.trim()
  return (
    text.startsWith('-----BEGIN') || Buffer.from(text, 'base64').toString('utf8').startsWith('-----BEGIN')
  )
}

function isCron(value: string): boolean {
  try {
    assertValidSchedule('BACKUP_CRON', { cron: value })
    return true
  } catch {
    return false
  }
}

/** Reports, on the missing one, a pair of variables of which only one is set. */
function requireTogether(
  env: Record<string, unknown>,
  ctx: z.RefinementCtx,
  first: string,
  second: string,
): void {
  if (Boolean(env[first]) === Boolean(env[second])) return
  ctx.addIssue({
    code: 'custom',
    path: [env[first] ? second : first],
    message: `${first} and ${second} must be set together`,
  })
}

/** Every environment variable Sillon reads, with its default. The README's configuration table mirrors it. */
const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: z
      .string()
      .regex(
        /^postgres(ql)?:\/\//,
        'must start with postgres:// (leave it unset for the embedded SQLite file)',
      )
      .optional(),
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
    SQLITE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(7),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    CF_ACCESS_TEAM_DOMAIN: optionalString,
    CF_ACCESS_AUD: optionalString,
    SEED_DEMO: booleanFlag.optional(),
    CORS_ORIGINS: optionalString,
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(25 * 1024 * 1024),
    VIDEO_SKIP_TOLERANCE_SEC: z.coerce.number().min(0).max(10).default(10),
    TRUST_PROXY: booleanFlag.default(false),
    LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
    LOGIN_FAILURE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    JOBS_ENABLED: booleanFlag.default(true),
    BACKUP_DIR: optionalString,
    BACKUP_KEEP: z.coerce.number().int().min(0).default(7),
    BACKUP_CRON: z
      .string()
      .trim()
      .default('0 3 * * *')
      .refine(isCron, 'must be a cron expression (5 fields, or 6 with seconds), e.g. 0 3 * * *'),
    WEBHOOK_ALLOWED_HOSTS: optionalString.refine(
      (value) => value === undefined || /^[\w.:\-[\]]+(\s*,\s*[\w.:\-[\]]+)*$/.test(value.trim()),
      'must be host names or addresses separated by commas (no scheme, port or path)',
    ),
    SMTP_URL: z
      .string()
      .trim()
      .regex(/^smtps?:\/\/[^/\s]+/, 'must be an SMTP URL: smtp://user:password@host:587 or smtps://…:465')
      .optional(),
    MAIL_FROM: optionalString.refine(
      (value) => value === undefined || /^([^<>@]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(value),
      'must be an address, or a name and an address: Sillon <no-reply@lms.example.org>',
    ),
    MESSAGE_EMAIL_DELAY_MINUTES: z.coerce.number().int().min(0).max(1440).default(10),
    CLOUDFLARE_ACCOUNT_ID: optionalString,
    CLOUDFLARE_STREAM_API_TOKEN: optionalString,
    CLOUDFLARE_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.cloudflare.com/client/v4'),
    CLOUDFLARE_STREAM_SIGNING_KEY_ID: optionalString,
    CLOUDFLARE_STREAM_SIGNING_KEY_PEM: optionalString.refine(
      (value) => value === undefined || looksLikePem(value),
      'must be a PEM private key, or the base64 of one as Cloudflare returns it',
    ),
  })
  .superRefine(
    (env, ctx) => {
      requireTogether(env, ctx, 'CF_ACCESS_TEAM_DOMAIN', 'CF_ACCESS_AUD')
      requireTogether(env, ctx, 'CLOUDFLARE_ACCOUNT_ID', 'CLOUDFLARE_STREAM_API_TOKEN')
      requireTogether(env, ctx, 'CLOUDFLARE_STREAM_SIGNING_KEY_ID', 'CLOUDFLARE_STREAM_SIGNING_KEY_PEM')
      if (env.DATABASE_URL && !env.SESSION_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['SESSION_SECRET'],
          message: 'is required with PostgreSQL, so that every node signs sessions with the same secret',
        })
      }
      // Run even when a variable failed its own check, so that one start reports every problem.
    },
    { when: () => true },
  )

type ParsedEnv = z.infer<typeof configSchema>

export type Config = Omit<ParsedEnv, 'PUBLIC_URL' | 'SEED_DEMO' | 'CORS_ORIGINS' | 'MAIL_FROM'> & {
  PUBLIC_URL: string
  MAIL_FROM: string
  SEED_DEMO: boolean
  CORS_ORIGINS: string[]
  dialect: 'sqlite' | 'postgres'
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Validates the environment and fills defaults. Throws one ConfigError listing every problem,
 * so an operator fixes them all in one go.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // A variable set to blanks counts as unset, so `PORT=` falls back to the default like text settings do.
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  )
  const parsed = configSchema.safeParse(given)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`),
    )
  }
  const c = parsed.data
  const dialect = c.DATABASE_URL ? 'postgres' : 'sqlite'
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, '')
  return {
    ...c,
    PUBLIC_URL: publicUrl,
    MAIL_FROM: c.MAIL_FROM ?? `Sillon <no-reply@${new URL(publicUrl).hostname}>`,
    // Embedded installs are for trying Sillon: a demo school unless told otherwise. Servers seed only when asked.
    SEED_DEMO: c.SEED_DEMO ?? dialect === 'sqlite',
    CORS_ORIGINS: (c.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    dialect,
  }
}
