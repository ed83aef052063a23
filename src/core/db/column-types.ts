import { type ColumnDataType, type Expression, type Kysely, PostgresAdapter, sql } from 'kysely'

type ColumnType = ColumnDataType | Expression<unknown>

/**
 * Portable column types for migrations. Domain timestamps are UTC `timestamp(3)` on PostgreSQL (read back
 * as ISO strings, see connect-node.ts) and ISO text on SQLite. Tables that better-auth reads keep its own
 * convention: `timestamptz` and `boolean` on PostgreSQL, text and 0/1 on SQLite.
 */
export function columnTypes(db: Kysely<unknown>): {
  timestamp: ColumnType
  authTimestamp: ColumnType
  authBoolean: ColumnType
  bigint: ColumnType
  double: ColumnType
} {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  return {
    timestamp: postgres ? sql`timestamp(3)` : 'text',
    authTimestamp: postgres ? 'timestamptz' : 'text',
    authBoolean: postgres ? 'boolean' : 'integer',
    bigint: postgres ? 'bigint' : 'integer',
    double: postgres ? 'double precision' : 'real',
  }
}
