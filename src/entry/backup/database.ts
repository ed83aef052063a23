import { sql } from 'kysely'
import type { Config } from '../../core/config.ts'
import { openPostgres, openSqlite } from '../../core/db/connect-node.ts'
import type { DbHandle } from '../../core/db/database.ts'

/** The configured database, opened for one piece of maintenance. */
export async function withConfiguredDatabase<T>(
  config: Config,
  sqliteFile: string,
  work: (handle: DbHandle) => Promise<T>,
): Promise<T> {
  const handle = config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, { max: 1 })
    : openSqlite(sqliteFile, { busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS })
  try {
    return await work(handle)
  } finally {
    await handle.close()
  }
}

/** Whether the database has the table (in its current schema, on PostgreSQL). */
export async function hasTable(handle: DbHandle, table: string): Promise<boolean> {
  const query =
    handle.dialect === 'sqlite'
      ? sql`select 1 from sqlite_master where type = 'table' and name = ${table}`
      : sql`select 1 where to_regclass(${table}) is not null`
  return (await query.execute(handle.db)).rows.length > 0
}

/** The latest migration applied to the database; null when none is (or it has no migration table). */
export async function migrationLevel(handle: DbHandle): Promise<string | null> {
  if (!(await hasTable(handle, 'kysely_migration'))) return null
  const { rows } = await sql<{ name: string | null }>`select max(name) as name from kysely_migration`.execute(
    handle.db,
  )
  return rows[0]?.name ?? null
}
