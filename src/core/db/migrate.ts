import { type Migration, type MigrationResultSet, Migrator } from 'kysely'
import type { Db } from './database.ts'
import * as identity from './migrations/2026-11-22-01-identity.ts'

// Listed in code rather than read from a folder so that bundled builds (Workers) carry them.
const migrations: Record<string, Migration> = {
  '2026-11-22-01-identity': identity,
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
  ) {
    super(message)
    this.name = 'MigrationError'
  }
}

/** Brings the schema to the latest version; returns the names of the migrations it applied. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) {
    const failed = results.find((r) => r.status === 'Error')
    const reason = error instanceof Error ? error.message : String(error)
    throw new MigrationError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`, results)
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
