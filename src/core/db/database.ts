import type { Kysely } from 'kysely'
import type { CatalogTables } from '../../modules/catalog/tables.ts'
import type { GamificationTables } from '../../modules/gamification/tables.ts'
import type { IdentityTables } from '../../modules/identity/tables.ts'
import type { IntegrationTables } from '../../modules/integrations/tables.ts'
import type { MasteryTables } from '../../modules/mastery/tables.ts'
import type { ProgressTables } from '../../modules/progress/tables.ts'
import type { TrackingTables } from '../../modules/tracking/tables.ts'
import type { EventTables } from '../events/tables.ts'
import type { JobTables } from '../jobs/tables.ts'

/** Every table Sillon stores, merged from the tables each module owns. */
export type Database = IdentityTables &
  CatalogTables &
  EventTables &
  ProgressTables &
  IntegrationTables &
  TrackingTables &
  JobTables &
  GamificationTables &
  MasteryTables

export type SqlDialect = 'sqlite' | 'postgres'

export type Db = Kysely<Database>

/** An open database: the query builder, which dialect it speaks, and how to let it go. */
export type DbHandle = {
  db: Db
  dialect: SqlDialect
  close(): Promise<void>
}
