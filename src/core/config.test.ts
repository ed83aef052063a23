import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

const POSTGRES_URL = 'postgres://sillon@db.internal:5432/sillon'
const SECRET = 'a-session-secret-of-at-least-32-characters'

/** The problems loadConfig reports for the environment, or an empty list when it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
    return []
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
}

describe('loadConfig', () => {
  it('fills every default for an empty environment and picks the embedded SQLite database', () => {
    expect(loadConfig({})).toEqual({
      PORT: 3000,
      HOST: '0.0.0.0',
      PUBLIC_URL: 'http://localhost:3000',
      DATA_DIR: './data',
      DATABASE_URL: undefined,
      DATABASE_CONNECT_TIMEOUT_MS: 5_000,
      DATABASE_STATEMENT_TIMEOUT_MS: 15_000,
      SQLITE_BUSY_TIMEOUT_MS: 5_000,
      REDIS_URL: undefined,
      SESSION_SECRET: undefined,
      SESSION_TTL_DAYS: 7,
      LOG_LEVEL: 'info',
      CF_ACCESS_TEAM_DOMAIN: undefined,
      CF_ACCESS_AUD: undefined,
      SEED_DEMO: true,
      CORS_ORIGINS: [],
      BODY_LIMIT_BYTES: 1024 * 1024,
      UPLOAD_MAX_BYTES: 25 * 1024 * 1024,
      VIDEO_SKIP_TOLERANCE_SEC: 10,
      TRUST_PROXY: false,
      LOGIN_FAILURES_PER_ACCOUNT: 10,
      LOGIN_FAILURES_PER_ADDRESS: 100,
      LOGIN_FAILURE_WINDOW_MINUTES: 15,
      JOBS_ENABLED: true,
      BACKUP_DIR: undefined,
      BACKUP_KEEP: 7,
      BACKUP_CRON: '0 3 * * *',
      SMTP_URL: undefined,
      MAIL_FROM: 'Sillon <no-reply@localhost>',
      MESSAGE_EMAIL_DELAY_MINUTES: 10,
      CLOUDFLARE_ACCOUNT_ID: undefined,
      CLOUDFLARE_STREAM_API_TOKEN: undefined,
      CLOUDFLARE_API_BASE_URL: 'https://api.cloudflare.com/client/v4',
      CLOUDFLARE_STREAM_SIGNING_KEY_ID: undefined,
      CLOUDFLARE_STREAM_SIGNING_KEY_PEM: undefined,
      dialect: 'sqlite',
    })
  })

  it('reads numbers and flags from their string form', () => {
    const config = loadConfig({
      PORT: '8080',
      SESSION_TTL_DAYS: '30',
      BODY_LIMIT_BYTES: '2048',
      LOGIN_FAILURES_PER_ACCOUNT: '3',
      TRUST_PROXY: 'yes',
      JOBS_ENABLED: 'false',
    })
    expect(config).toMatchObject({
      PORT: 8080,
      SESSION_TTL_DAYS: 30,
      BODY_LIMIT_BYTES: 2048,
      LOGIN_FAILURES_PER_ACCOUNT: 3,
      TRUST_PROXY: true,
      JOBS_ENABLED: false,
    })
  })

  it('derives the default public URL from the port', () => {
    expect(loadConfig({ PORT: '8080' }).PUBLIC_URL).toBe('http://localhost:8080')
  })

  it('trims the trailing slashes of the public URL and keeps its path', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://lms.example.org/' }).PUBLIC_URL).toBe('https://lms.example.org')
    expect(loadConfig({ PUBLIC_URL: 'https://example.org/school//' }).PUBLIC_URL).toBe(
      'https://example.org/school',
    )
  })

  it('treats a blank optional value as unset', () => {
    const config = loadConfig({ PUBLIC_URL: '  ', DATABASE_URL: '', SEED_DEMO: '', CORS_ORIGINS: ' ' })
    expect(config.PUBLIC_URL).toBe('http://localhost:3000')
    expect(config.dialect).toBe('sqlite')
    expect(config.SEED_DEMO).toBe(true)
    expect(config.CORS_ORIGINS).toEqual([])
  })

  it('splits CORS_ORIGINS on commas, trimming spaces and dropping empty entries', () => {
    const config = loadConfig({ CORS_ORIGINS: ' https://a.example.org , ,https://b.example.org:8443,' })
    expect(config.CORS_ORIGINS).toEqual(['https://a.example.org', 'https://b.example.org:8443'])
  })

  it('reads the SMTP server and the sender address, whose default is named after PUBLIC_URL', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://mailer:secret@smtp.example.org:465',
      MAIL_FROM: 'École Sillon <ecole@example.org>',
      MESSAGE_EMAIL_DELAY_MINUTES: '5',
    })
    expect(config).toMatchObject({
      SMTP_URL: 'smtps://mailer:secret@smtp.example.org:465',
      MAIL_FROM: 'École Sillon <ecole@example.org>',
      MESSAGE_EMAIL_DELAY_MINUTES: 5,
    })
    expect(loadConfig({ PUBLIC_URL: 'https://lms.example.org/' }).MAIL_FROM).toBe(
      'Sillon <no-reply@lms.example.org>',
    )
    expect(loadConfig({ MAIL_FROM: 'ecole@example.org' }).MAIL_FROM).toBe('ecole@example.org')
  })

  it('refuses an SMTP URL of another scheme, a sender without an address and a negative e-mail delay', () => {
    const problems = problemsOf({
      SMTP_URL: 'http://smtp.example.org',
      MAIL_FROM: 'Sillon',
      MESSAGE_EMAIL_DELAY_MINUTES: '-1',
    })
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'MAIL_FROM',
      'MESSAGE_EMAIL_DELAY_MINUTES',
      'SMTP_URL',
    ])
  })

  it('picks PostgreSQL when DATABASE_URL is set, with either URL scheme', () => {
    expect(loadConfig({ DATABASE_URL: POSTGRES_URL, SESSION_SECRET: SECRET }).dialect).toBe('postgres')
    const postgresql = loadConfig({ DATABASE_URL: 'postgresql://db.internal/sillon', SESSION_SECRET: SECRET })
    expect(postgresql.dialect).toBe('postgres')
  })

  it('lists every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://db.internal/sillon',
      REDIS_URL: 'http://cache.internal',
      PUBLIC_URL: 'ftp://lms.example.org',
      SESSION_SECRET: 'too-short',
      SESSION_TTL_DAYS: '0',
      TRUST_PROXY: 'maybe',
      BODY_LIMIT_BYTES: '10',
    })
    const variables = problems.map((p) => p.split(':')[0])
    expect(variables.sort()).toEqual(
      [
        'BODY_LIMIT_BYTES',
        'DATABASE_URL',
        'LOG_LEVEL',
        'PORT',
        'PUBLIC_URL',
        'REDIS_URL',
        'SESSION_SECRET',
        'SESSION_TTL_DAYS',
        'TRUST_PROXY',
      ].sort(),
    )
    expect(problems).toContainEqual(expect.stringMatching(/^DATABASE_URL: must start with postgres:\/\//))
    expect(problems).toContainEqual('SESSION_SECRET: must be at least 32 characters')
  })

  it('throws one ConfigError whose message has a line per problem', () => {
    const thrown = (() => {
      try {
        loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })
      } catch (err) {
        return err
      }
    })()
    expect(thrown).toBeInstanceOf(ConfigError)
    const message = (thrown as ConfigError).message.split('\n')
    expect(message[0]).toBe('Invalid configuration:')
    expect(message.slice(1)).toEqual([
      expect.stringMatching(/^ {2}- PORT: /),
      expect.stringMatching(/^ {2}- LOG_LEVEL: /),
    ])
  })

  it('requires SESSION_SECRET with PostgreSQL, so that every node signs sessions alike', () => {
    expect(problemsOf({ DATABASE_URL: POSTGRES_URL })).toEqual([
      expect.stringMatching(/^SESSION_SECRET: is required with PostgreSQL/),
    ])
    expect(problemsOf({ DATABASE_URL: POSTGRES_URL, SESSION_SECRET: SECRET })).toEqual([])
    expect(problemsOf({})).toEqual([])
  })

  it('requires CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD together, naming the missing one', () => {
    expect(problemsOf({ CF_ACCESS_TEAM_DOMAIN: 'school.cloudflareaccess.com' })).toEqual([
      'CF_ACCESS_AUD: CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD must be set together',
    ])
    expect(problemsOf({ CF_ACCESS_AUD: 'aud-tag' })).toEqual([
      'CF_ACCESS_TEAM_DOMAIN: CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD must be set together',
    ])
    const both = loadConfig({
      CF_ACCESS_TEAM_DOMAIN: 'school.cloudflareaccess.com',
      CF_ACCESS_AUD: 'aud-tag',
    })
    expect(both).toMatchObject({
      CF_ACCESS_TEAM_DOMAIN: 'school.cloudflareaccess.com',
      CF_ACCESS_AUD: 'aud-tag',
    })
  })

  it('requires the Cloudflare account and Stream API token together, naming the missing one', () => {
    expect(problemsOf({ CLOUDFLARE_ACCOUNT_ID: 'acc123' })).toEqual([
      'CLOUDFLARE_STREAM_API_TOKEN: CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_STREAM_API_TOKEN must be set together',
    ])
    expect(problemsOf({ CLOUDFLARE_STREAM_API_TOKEN: 'token' })).toEqual([
      'CLOUDFLARE_ACCOUNT_ID: CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_STREAM_API_TOKEN must be set together',
    ])
    expect(
      loadConfig({
        CLOUDFLARE_ACCOUNT_ID: 'acc123',
        CLOUDFLARE_STREAM_API_TOKEN: 'token',
        CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:8787/client/v4',
      }),
    ).toMatchObject({
      CLOUDFLARE_ACCOUNT_ID: 'acc123',
      CLOUDFLARE_STREAM_API_TOKEN: 'token',
      CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:8787/client/v4',
    })
    expect(problemsOf({ CLOUDFLARE_API_BASE_URL: 'api.cloudflare.com' })).toEqual([
      expect.stringMatching(/^CLOUDFLARE_API_BASE_URL: /),
    ])
  })

  it('requires the Stream signing key id and PEM together, the PEM as text or as base64 of it', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----'
    expect(problemsOf({ CLOUDFLARE_STREAM_SIGNING_KEY_ID: 'key-id' })).toEqual([
      'CLOUDFLARE_STREAM_SIGNING_KEY_PEM: CLOUDFLARE_STREAM_SIGNING_KEY_ID and CLOUDFLARE_STREAM_SIGNING_KEY_PEM must be set together',
    ])
    expect(problemsOf({ CLOUDFLARE_STREAM_SIGNING_KEY_PEM: pem })).toEqual([
      'CLOUDFLARE_STREAM_SIGNING_KEY_ID: CLOUDFLARE_STREAM_SIGNING_KEY_ID and CLOUDFLARE_STREAM_SIGNING_KEY_PEM must be set together',
    ])
    const base64 = Buffer.from(pem).toString('base64')
    for (const value of [pem, base64]) {
      expect(
        loadConfig({ CLOUDFLARE_STREAM_SIGNING_KEY_ID: 'key-id', CLOUDFLARE_STREAM_SIGNING_KEY_PEM: value }),
      ).toMatchObject({
        CLOUDFLARE_STREAM_SIGNING_KEY_ID: 'key-id',
        CLOUDFLARE_STREAM_SIGNING_KEY_PEM: value,
      })
    }
    expect(
      problemsOf({
        CLOUDFLARE_STREAM_SIGNING_KEY_ID: 'key-id',
        CLOUDFLARE_STREAM_SIGNING_KEY_PEM: 'not a key',
      }),
    ).toEqual([
      'CLOUDFLARE_STREAM_SIGNING_KEY_PEM: must be a PEM private key, or the base64 of one as Cloudflare returns it',
    ])
  })

  it('reports the cross-variable rules together with the problems of single variables', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://db.internal/sillon',
      CF_ACCESS_AUD: 'aud-tag',
      SESSION_TTL_DAYS: '0',
    })
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'CF_ACCESS_TEAM_DOMAIN',
      'DATABASE_URL',
      'SESSION_SECRET',
      'SESSION_TTL_DAYS',
    ])
  })

  it('reports the cross-variable rules even when a variable has the wrong type', () => {
    const problems = problemsOf({ PORT: 'abc', DATABASE_URL: POSTGRES_URL, CF_ACCESS_AUD: 'aud-tag' })
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'CF_ACCESS_TEAM_DOMAIN',
      'PORT',
      'SESSION_SECRET',
    ])
  })

  it('seeds the demo school by default on SQLite only, and SEED_DEMO decides when set', () => {
    expect(loadConfig({}).SEED_DEMO).toBe(true)
    expect(loadConfig({ DATABASE_URL: POSTGRES_URL, SESSION_SECRET: SECRET }).SEED_DEMO).toBe(false)
    expect(loadConfig({ SEED_DEMO: 'false' }).SEED_DEMO).toBe(false)
    expect(loadConfig({ SEED_DEMO: '0' }).SEED_DEMO).toBe(false)
    expect(
      loadConfig({ DATABASE_URL: POSTGRES_URL, SESSION_SECRET: SECRET, SEED_DEMO: 'true' }).SEED_DEMO,
    ).toBe(true)
    expect(problemsOf({ SEED_DEMO: 'sometimes' })).toEqual([expect.stringMatching(/^SEED_DEMO: /)])
  })

  it('refuses a nightly backup schedule that is not a cron expression, and a negative retention', () => {
    expect(problemsOf({ BACKUP_CRON: 'every night', BACKUP_KEEP: '-1' })).toEqual([
      'BACKUP_KEEP: Too small: expected number to be >=0',
      'BACKUP_CRON: must be a cron expression (5 fields, or 6 with seconds), e.g. 0 3 * * *',
    ])
    expect(loadConfig({ BACKUP_CRON: '30 2 * * 1-5', BACKUP_KEEP: '0' })).toMatchObject({
      BACKUP_CRON: '30 2 * * 1-5',
      BACKUP_KEEP: 0,
    })
  })

  it('treats a variable set to blanks as unset', () => {
    const config = loadConfig({ PORT: ' ', SESSION_TTL_DAYS: '', TRUST_PROXY: '', PUBLIC_URL: '' })
    expect(config).toMatchObject({
      PORT: 3000,
      SESSION_TTL_DAYS: 7,
      TRUST_PROXY: false,
      PUBLIC_URL: 'http://localhost:3000',
    })
  })
})
