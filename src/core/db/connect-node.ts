import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely'
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

/** Opens the embedded SQLite file (created with its folder when missing). */
export function openSqlite(file: string): DbHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  // Planner statistics for what changed since they were last taken (see optimize-statistics.ts).
  sqlite.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`)
  sqlite.pragma('optimize = 0x10002')
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
  return { db, dialect: 'sqlite', close: () => db.destroy() }
}

/**
 * Opens a PostgreSQL pool. `schema` pins the search path (tests give each file its own schema).
 * Domain timestamps (`timestamp` without zone, always UTC) come back as ISO strings, the same
 * shape SQLite stores, so modules see one type.
 */
export function openPostgres(url: string, options: { schema?: string; max?: number } = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === TIMESTAMP_WITHOUT_TZ_OID
          ? (value: string) => new Date(`${value.replace(' ', 'T')}Z`).toISOString()
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return { db, dialect: 'postgres', close: () => db.destroy() }
}
