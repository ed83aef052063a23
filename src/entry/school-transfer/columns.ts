import { PostgresAdapter, sql } from 'kysely'
import type { Db } from '../../core/db/database.ts'

/**
 * Every table's columns with their types as the database names them (`integer`, `text`… on SQLite;
 * `int8`, `bool`, `timestamptz`… on PostgreSQL), in the current schema only.
 */
export async function columnsOfTables(db: Db): Promise<Map<string, Map<string, string>>> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const { rows } = postgres
    ? await sql<{ table: string; column: string; type: string }>`select table_name as table,
        column_name as column, udt_name as type from information_schema.columns
        where table_schema = current_schema()`.execute(db)
    : await sql<{ table: string; column: string; type: string }>`select m.name as "table", c.name as "column",
        lower(c.type) as type from sqlite_master m, pragma_table_info(m.name) c
        where m.type = 'table'`.execute(db)
  const tables = new Map<string, Map<string, string>>()
  for (const row of rows) {
    const columns = tables.get(row.table) ?? new Map<string, string>()
    columns.set(row.column, row.type)
    tables.set(row.table, columns)
  }
  return tables
}
