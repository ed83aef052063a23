import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { openPostgres, openSqlite } from '../../src/core/db/connect-node.ts'
import type { Db, DbHandle, SqlDialect } from '../../src/core/db/database.ts'
import { migrateToLatest } from '../../src/core/db/migrate.ts'
import {
  adminQuery,
  type DatabaseTemplates,
  postgresDatabaseUrl,
  postgresReachable,
  TEST_DATABASE_URL,
  uniqueDatabaseName,
} from './database-templates.ts'

const reachable = await postgresReachable()
if (!reachable && process.env.CI === 'true') {
  throw new Error(`CI=true but PostgreSQL is unreachable at ${TEST_DATABASE_URL}: data tests must run on it`)
}

/** The dialects data tests run on: SQLite always, PostgreSQL when reachable (and always in CI). */
export function testDialects(): SqlDialect[] {
  return reachable ? ['sqlite', 'postgres'] : ['sqlite']
}

export type TestDatabase = DbHandle & {
  /** Where another connection finds it: the PostgreSQL database's URL, or the SQLite file. */
  url: string
  drop(): Promise<void>
}

/** Closes at most once (a test may close early to simulate an outage), then removes the storage. */
function disposable(handle: DbHandle, url: string, remove: () => Promise<void>): TestDatabase {
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await handle.close()
  }
  return {
    ...handle,
    url,
    close,
    drop: async () => {
      await close()
      await remove()
    },
  }
}

/**
 * A fresh, migrated database for one test file, so test files never see each other's rows: a copy of the
 * run's migrated SQLite template in a new folder, or a new PostgreSQL database cloned from the migrated
 * template (test/global-setup-databases.ts); without templates, an empty one migrated here.
 */
export async function createTestDatabase(dialect: SqlDialect): Promise<TestDatabase> {
  // Undefined in a tier whose global setup does not prepare them.
  const templates: DatabaseTemplates | undefined = inject('databaseTemplates')
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sillon-test-'))
    const file = join(dir, 'test.db')
    if (templates) copyFileSync(templates.sqlite, file)
    const handle = openSqlite(file)
    if (!templates) await migrateToLatest(handle.db)
    return disposable(handle, file, async () => rmSync(dir, { recursive: true, force: true }))
  }
  const name = uniqueDatabaseName('sillon_test')
  await adminQuery(
    templates?.postgres
      ? `create database ${name} template ${templates.postgres}`
      : `create database ${name}`,
  )
  const url = postgresDatabaseUrl(name)
  const handle = openPostgres(url, { max: 5 })
  if (!templates?.postgres) await migrateToLatest(handle.db)
  return disposable(handle, url, () => adminQuery(`drop database if exists ${name} with (force)`))
}

/**
 * A new, empty PostgreSQL database on the test server, for a test that migrates it itself or gives it to a
 * server. A database rather than a schema of the shared one: catalogue scans (Kysely's migrator reads
 * every schema's tables) fail when another file drops its schema during the scan.
 */
export async function createEmptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueDatabaseName('sillon_empty')
  await adminQuery(`create database ${name}`)
  return {
    url: postgresDatabaseUrl(name),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  }
}

/** An empty database with no migration applied, for upgrade tests that start from an older schema. */
export async function createUnmigratedDatabase(dialect: SqlDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sillon-upgrade-'))
    const file = join(dir, 'test.db')
    return disposable(openSqlite(file), file, async () => rmSync(dir, { recursive: true, force: true }))
  }
  const { url, drop } = await createEmptyPostgresDatabase()
  return disposable(openPostgres(url, { max: 2 }), url, drop)
}

/** A bare organisation row, for tests below the HTTP layer that need its foreign key and time zone. */
export async function insertOrganisation(db: Db, id: string, timezone = 'Europe/Paris') {
  await db
    .insertInto('organisations')
    .values({
      id,
      slug: id,
      name: id,
      default_locale: 'fr',
      timezone,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    })
    .execute()
}

/** Bare student profiles (no account), for tests that need many students of a school quickly. */
export async function insertStudents(db: Db, orgId: string, students: { id: string; name: string }[]) {
  const at = '2026-01-01T00:00:00.000Z'
  for (let i = 0; i < students.length; i += 400) {
    await db
      .insertInto('lms_student')
      .values(
        students.slice(i, i + 400).map((s) => ({
          id: s.id,
          org_id: orgId,
          user_id: null,
          name: s.name,
          first_name: null,
          last_name: null,
          emails_json: '[]',
          address_json: null,
          telephones_json: '[]',
          image_url: null,
          title: null,
          raw_json: null,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute()
  }
}

/**
 * The read models that projectors and reactors derive from the event and signal logs: what a rebuild must
 * give back unchanged after a restore, an import or an erasure.
 */
export const REBUILT_READ_MODELS = [
  'v_user_progress',
  'xp_ledger',
  'gamification_award',
  'gamification_counter',
  'gamification_score',
  'gamification_week_score',
  'gamification_activity_day',
  'v_streak_history',
  'gamification_streak',
  'hearts',
  'mastery_question',
  'v_course_mastery',
  'v_skill_mastery',
] as const
