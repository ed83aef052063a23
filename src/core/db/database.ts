import type { Kysely } from 'kysely'
import type { EventTables } from '../events/tables.ts'
import type { JobTables } from '../jobs/tables.ts'

/**
 * Every table Sillon stores: core's own here, and each module's added by its index.ts, which merges them
 * into this interface (`declare module`, as Hono's ContextVariableMap is extended), so core names no module.
 */
export interface Database extends EventTables, JobTables {}

export type SqlDialect = 'sqlite' | 'postgres'

export type Db = Kysely<Database>

/** An open database: the query builder, which dialect it speaks, and how to let it go. */
export type DbHandle = {
  db: Db
  dialect: SqlDialect
  close(): Promise<void>
}
