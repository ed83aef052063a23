import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openPostgres, openSqlite } from '../../src/core/db/connect-node.ts'
import { migrateToLatest } from '../../src/core/db/migrate.ts'

// Migrating costs far more than copying what it produced: the tiers' global setup migrates one template per
// dialect, and each test file gets a copy (createTestDatabase in databases.ts). Not imported by test files
// themselves, so the global setup can use it outside a test worker.

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Where the migrated templates are: a SQLite file to copy, a PostgreSQL database to clone (null without one). */
export type DatabaseTemplates = { sqlite: string; postgres: string | null }

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/** Runs one statement on the test database's server (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function adminQuery(statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  try {
    await admin.query(statement)
  } finally {
    await admin.end()
  }
}

/** The URL of another database on the test server. */
export function postgresDatabaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** A name no other test file or concurrent run uses. */
export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
}

/**
 * Migrates a SQLite file, and a PostgreSQL database when the server answers, to be copied by every test file
 * of the run. Closed once migrated: PostgreSQL clones only a database nobody is connected to.
 */
export async function createDatabaseTemplates(): Promise<{
  templates: DatabaseTemplates
  drop(): Promise<void>
}> {
  const dir = mkdtempSync(join(tmpdir(), 'sillon-template-'))
  const sqlite = join(dir, 'template.db')
  const sqliteHandle = openSqlite(sqlite)
  try {
    await migrateToLatest(sqliteHandle.db)
  } finally {
    await sqliteHandle.close()
  }
  let postgres: string | null = null
  if (await postgresReachable()) {
    postgres = uniqueDatabaseName('sillon_template')
    await adminQuery(`create database ${postgres}`)
    const handle = openPostgres(postgresDatabaseUrl(postgres), { max: 1 })
    try {
      await migrateToLatest(handle.db)
    } finally {
      await handle.close()
    }
  }
  return {
    templates: { sqlite, postgres },
    drop: async () => {
      rmSync(dir, { recursive: true, force: true })
      if (postgres) await adminQuery(`drop database if exists ${postgres} with (force)`)
    },
  }
}
