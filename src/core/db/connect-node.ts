import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely'
import pg from 'pg'
import type { Database, DbHandle } from './database.ts'
import { ANALYSIS_LIMIT } from './optimize-statistics.ts'

const TIMESTAMP_WITHOUT_TZ_OID = 1114
const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely prepares every query anew; compiling the SQL costs more than running it for the small queries of
 * the hot paths, so prepared statements are kept by SQL text (oldest dropped first). Kysely never streams
 * here, so a statement is never in use twice at once.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = statements.get(sql)
      if (!statement) {
        statement = sqlite.prepare(sql)
        if (statements.size >= STATEMENT_CACHE_SIZE)
          statements.delete(statements.keys().next().value as string)
        statements.set(sql, statement)
      }
      return statement
    },
  }
}

// SQLite runs DDL inside transactions, but Kysely's adapter says it cannot, so its migrator would apply a
// migration statement by statement: one that fails, or races another process opening the same new file,
// would leave half a schema. Said truthfully, each run of migrations is one transaction.
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl() {
    return true
  }
}

// A transaction takes the write lock when it begins: another process sharing the file (the `sillon`
// command, a second migrator) then waits its turn (busy timeout) and reads what the first one wrote, where
// a plain BEGIN would read first and fail to write on a stale snapshot.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

class EmbeddedSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config)
  }
  override createAdapter() {
    return new TransactionalDdlSqliteAdapter()
  }
}

/**
 * Opens the embedded SQLite file (created with its folder when missing). A write that finds the file locked
 * by another process (the `sillon` command) waits up to `busyTimeoutMs`, then fails with SQLITE_BUSY.
 */
export function openSqlite(file: string, options: { busyTimeoutMs?: number } = {}): DbHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? 5_000)
  const sqlite = new SQLite(file, { timeout: busyTimeoutMs })
  enterWalMode(sqlite, busyTimeoutMs)
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('synchronous = NORMAL')
  // Planner statistics for what changed since they were last taken (see optimize-statistics.ts).
  sqlite.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`)
  sqlite.pragma('optimize = 0x10002')
  const db = new Kysely<Database>({
    dialect: new EmbeddedSqliteDialect({ database: withStatementCache(sqlite) }),
  })
  return { db, dialect: 'sqlite', close: () => db.destroy() }
}

/**
 * Switching a new file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once, without its
 * busy handler, when another process opening the same new file holds a lock (two `sillon` commands started
 * together): try again until the busy timeout.
 */
function enterWalMode(sqlite: SQLite.Database, busyTimeoutMs: number) {
  const deadline = Date.now() + busyTimeoutMs
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    try {
      sqlite.pragma('journal_mode = WAL')
      return
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err
      Atomics.wait(pause, 0, 0, 10)
    }
  }
}

export type PostgresOptions = {
  /** Pins the search path (tests give each file its own schema). */
  schema?: string
  max?: number
  /** Longest wait for a connection, new or from a busy pool. */
  connectTimeoutMs?: number
  /** Longest a statement may run, or a transaction stay idle, before PostgreSQL ends it; 0 or unset: no limit. */
  statementTimeoutMs?: number
  /** Told of a connection that broke outside a query (a restart, a failover); the pool has dropped it. */
  onConnectionError?: (err: Error) => void
}

// The server's statement_timeout ends a slow statement cleanly; this client-side margin only fires when
// the server does not answer at all (stalled, or gone without closing the socket).
const CLIENT_DEADLINE_MARGIN_MS = 2_000
const QUERY_READ_TIMEOUT = 'Query read timeout'

/**
 * pg's client-side timeout rejects the query but leaves it running on its connection, perhaps inside a
 * transaction. That connection is closed at once: what follows on it (the rollback) fails without waiting
 * for another timeout, and the pool never hands it to a request that would find it busy or mid-transaction.
 */
function closingTimedOutConnections(pool: pg.Pool): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect()
      let timedOut: Error | undefined
      const query = async (text: string, parameters: unknown[]) => {
        if (timedOut) throw timedOut
        try {
          return await client.query(text, parameters)
        } catch (err) {
          if (err instanceof Error && err.message === QUERY_READ_TIMEOUT) {
            timedOut = err
            client.release(err)
          }
          throw err
        }
      }
      return {
        // Kysely passes a cursor only when streaming, which Sillon never does.
        query: query as unknown as PostgresPoolClient['query'],
        release: () => {
          if (!timedOut) client.release()
        },
      }
    },
    end: () => pool.end(),
  }
}

/**
 * Opens a PostgreSQL pool that rides out restarts: a connection that breaks is dropped (pg emits the
 * error, which would otherwise end the process) and the next query opens a new one. Domain timestamps
 * (`timestamp` without zone, always UTC) come back as ISO strings, the same shape SQLite stores, so
 * modules see one type.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): DbHandle {
  const statementTimeout = options.statementTimeoutMs || undefined
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: statementTimeout,
    idle_in_transaction_session_timeout: statementTimeout,
    query_timeout: statementTimeout && statementTimeout + CLIENT_DEADLINE_MARGIN_MS,
    keepAlive: true,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === TIMESTAMP_WITHOUT_TZ_OID
          ? (value: string) => new Date(`${value.replace(' ', 'T')}Z`).toISOString()
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  })
  pool.on('error', (err) => options.onConnectionError?.(err))
  // A connection in use reports its break on itself, with no listener from the pool: the query running on
  // it, or the next one, fails with the error, which is where it is answered.
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: closingTimedOutConnections(pool) }),
  })
  return { db, dialect: 'postgres', close: () => db.destroy() }
}
