import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import pino, { type Logger } from 'pino'
import { type AppDeps, buildApp } from '../app.ts'
import { systemClock } from '../core/clock.ts'
import type { Config } from '../core/config.ts'
import { openPostgres, openSqlite } from '../core/db/connect-node.ts'
import type { DbHandle } from '../core/db/database.ts'
import { migrateToLatest } from '../core/db/migrate.ts'
import { diskFileStore } from '../core/files/disk-file-store.ts'
import type { AppEnv } from '../core/http/context.ts'
import { randomSecret } from '../core/ids.ts'
import { createRedisPubSub } from '../core/pubsub/redis.ts'
import { createStreamSigner } from '../modules/catalog/index.ts'
import { nightlyBackupJob } from './backup/nightly.ts'
import { nodeSchoolArchive } from './school-transfer/port.ts'

/** The session secret: from the environment, or generated once and kept in DATA_DIR (embedded mode). */
export function resolveSecret(config: Config): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET
  const file = join(config.DATA_DIR, 'session-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(config.DATA_DIR, { recursive: true })
  const secret = randomSecret(48)
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return secret
}

/**
 * The configured database with its timeouts. `logger` hears of connections lost outside a query;
 * `statementTimeoutMs: 0` lifts the statement timeout, for migrations and other long maintenance.
 */
export function openDatabase(
  config: Config,
  options: { logger?: Logger; statementTimeoutMs?: number } = {},
): DbHandle {
  if (!config.DATABASE_URL) {
    return openSqlite(join(config.DATA_DIR, 'sillon.db'), { busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS })
  }
  return openPostgres(config.DATABASE_URL, {
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: options.statementTimeoutMs ?? config.DATABASE_STATEMENT_TIMEOUT_MS,
    onConnectionError: (err) =>
      options.logger?.warn({ err }, 'database connection lost; the next query reconnects'),
  })
}

/** The caller's address: the socket's, or the first X-Forwarded-For hop when a trusted proxy sets it. */
export function nodeClientIp(trustProxy: boolean) {
  return (c: Context<AppEnv>): string | undefined => {
    if (trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
      if (forwarded) return forwarded
    }
    try {
      return getConnInfo(c).remote.address
    } catch {
      return undefined
    }
  }
}

export function createLogger(config: Config): Logger {
  // Synchronous: lines keep their order with the console banner and are not lost when the process exits.
  return pino(
    { level: config.LOG_LEVEL, base: { service: 'sillon' } },
    pino.destination({ dest: 1, sync: true }),
  )
}

export type Runtime = Awaited<ReturnType<typeof openRuntime>>

/**
 * Everything a Node process needs: database (migrated), logger and the wired app; `deps` replaces parts of
 * the app (the CLI's tests pass a cheap password hasher).
 */
export async function openRuntime(
  config: Config,
  logger: Logger = createLogger(config),
  deps: Pick<AppDeps, 'passwordHasher'> = {},
) {
  // A migration may rewrite a large table: it runs on a connection of its own, without the statement timeout.
  const migrating = openDatabase(config, { logger, statementTimeoutMs: 0 })
  try {
    const applied = await migrateToLatest(migrating.db)
    if (applied.length > 0) logger.info({ applied }, 'database migrated')
  } finally {
    await migrating.close()
  }
  const database = openDatabase(config, { logger })
  const files = diskFileStore(join(config.DATA_DIR, 'files'))
  // Scale-out: live events reach the sockets of every node through Redis; otherwise this process only.
  const pubsub = config.REDIS_URL ? createRedisPubSub(config.REDIS_URL, logger) : undefined
  const built = buildApp({
    database,
    config,
    secret: resolveSecret(config),
    clock: systemClock,
    logger,
    clientIp: nodeClientIp(config.TRUST_PROXY),
    files,
    schoolArchive: nodeSchoolArchive({ database, files, clock: systemClock }),
    streamSigner:
      config.CLOUDFLARE_STREAM_SIGNING_KEY_ID && config.CLOUDFLARE_STREAM_SIGNING_KEY_PEM
        ? createStreamSigner(
            { keyId: config.CLOUDFLARE_STREAM_SIGNING_KEY_ID, pem: config.CLOUDFLARE_STREAM_SIGNING_KEY_PEM },
            systemClock,
          )
        : undefined,
    pubsub,
    ...deps,
  })
  // Embedded mode backs itself up; a PostgreSQL server is backed up by its operator (see README, Backups).
  if (config.dialect === 'sqlite' && config.BACKUP_KEEP > 0) built.jobs.register(nightlyBackupJob(config))
  const close = async () => {
    await built.realtime.close()
    await pubsub?.close()
    await database.close()
  }
  return { ...built, config, database, logger, close }
}
