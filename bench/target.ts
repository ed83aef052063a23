import { join } from 'node:path'
import pino from 'pino'
import { type App, buildApp } from '../src/app.ts'
import { systemClock } from '../src/core/clock.ts'
import { loadConfig } from '../src/core/config.ts'
import { openPostgres, openSqlite } from '../src/core/db/connect-node.ts'
import type { DbHandle } from '../src/core/db/database.ts'
import { diskFileStore } from '../src/core/files/disk-file-store.ts'
import type { PubSub } from '../src/core/pubsub/pubsub.ts'
import { nodeClientIp } from '../src/entry/runtime.ts'

// Where a benchmark's app keeps its data: the embedded SQLite file of a fresh DATA_DIR, or a fresh
// PostgreSQL schema. The bench process seeds and rebuilds through it; the server child serves from it.

export type BenchTarget =
  | { dialect: 'sqlite'; dataDir: string }
  | { dialect: 'postgres'; dataDir: string; url: string; schema: string }

// Bearer tokens carry no CSRF check, so the secret only has to satisfy the configuration.
const SESSION_SECRET = 'bench-session-secret-that-is-long-enough-for-better-auth'

export function openTarget(target: BenchTarget): DbHandle {
  return target.dialect === 'sqlite'
    ? openSqlite(join(target.dataDir, 'sillon.db'))
    : openPostgres(target.url, { schema: target.schema })
}

/** The real app over the target, as `npm start` wires it, with silent logs and the system clock. */
export function buildBenchApp(target: BenchTarget, database: DbHandle, pubsub?: PubSub): App {
  const config = loadConfig({
    PUBLIC_URL: 'http://127.0.0.1:3000',
    DATA_DIR: target.dataDir,
    LOG_LEVEL: 'silent',
    SESSION_SECRET,
    ...(target.dialect === 'postgres' ? { DATABASE_URL: target.url } : {}),
  })
  return buildApp({
    database,
    config,
    secret: SESSION_SECRET,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    clientIp: nodeClientIp(false),
    files: diskFileStore(join(target.dataDir, 'files')),
    pubsub,
  })
}
