import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { openPostgres, openSqlite } from '../../src/core/db/connect-node.ts'
import type { DbHandle, SqlDialect } from '../../src/core/db/database.ts'
import { adminQuery, postgresDatabaseUrl, uniqueDatabaseName } from './database-templates.ts'

// Whole Sillon instances for backup tests: a data directory, plus a database of its own on PostgreSQL (a
// backup holds a whole database, so not a schema of the shared test database).

const INSTANCE_SESSION_SECRET = 'a-session-secret-for-backup-tests-only'

export type Instance = {
  dataDir: string
  /** What a command or server needs in its environment to use this instance. */
  env: Record<string, string>
  open(): DbHandle
  drop(): Promise<void>
}

/** A new, empty instance: nothing in its data directory, no table in its database. */
export async function emptyInstance(dialect: SqlDialect): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sillon-instance-'))
  if (dialect === 'sqlite') {
    return {
      dataDir,
      env: { DATA_DIR: dataDir },
      open: () => openSqlite(join(dataDir, 'sillon.db')),
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    }
  }
  const name = uniqueDatabaseName('sillon_instance')
  await adminQuery(`create database ${name}`)
  const url = postgresDatabaseUrl(name)
  return {
    dataDir,
    env: { DATA_DIR: dataDir, DATABASE_URL: url, SESSION_SECRET: INSTANCE_SESSION_SECRET },
    open: () => openPostgres(url, { max: 2 }),
    drop: async () => {
      await adminQuery(`drop database if exists ${name} with (force)`)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The tables of the instance's own schema (PostgreSQL) or file (SQLite), by name. */
export async function tableNames(handle: DbHandle): Promise<string[]> {
  const { rows } =
    handle.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master
          where type = 'table' and name not like 'sqlite_%' order by name`.execute(handle.db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(handle.db)
  return rows.map((r) => r.name)
}

/**
 * Every row of `tables` (default: every table), each as JSON, sorted: two instances hold the same data
 * exactly when these are equal.
 */
export async function tableContents(
  handle: DbHandle,
  tables?: readonly string[],
): Promise<Record<string, string[]>> {
  const contents: Record<string, string[]> = {}
  for (const table of tables ?? (await tableNames(handle))) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(handle.db)
    contents[table] = rows.map((row) => JSON.stringify(row)).sort()
  }
  return contents
}

/** Opens the instance's database for `read`, and closes it after. */
export async function withDatabase<T>(
  instance: Instance,
  read: (handle: DbHandle) => Promise<T>,
): Promise<T> {
  const handle = instance.open()
  try {
    return await read(handle)
  } finally {
    await handle.close()
  }
}
