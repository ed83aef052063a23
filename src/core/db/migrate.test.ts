import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { getMigrations } from 'better-auth/db/migration'
import { sql } from 'kysely'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase, testDialects } from '../../../test/helpers/databases.ts'
import { createAuth } from '../../modules/identity/index.ts'
import { migrateToLatest } from './migrate.ts'

describe.each(testDialects())('migrations on %s', (dialect) => {
  let database: TestDatabase

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
  })
  afterAll(() => database.drop())

  it('applies nothing the second time', async () => {
    expect(await migrateToLatest(database.db)).toEqual([])
  })

  it('creates the tables better-auth expects, under our names, with nothing left for it to add', async () => {
    const auth = createAuth(
      database.db,
      dialect,
      {
        secret: 'a-secret-long-enough-for-better-auth-123',
        publicUrl: 'http://localhost:3000',
        trustedOrigins: ['http://localhost:3000'],
        sessionTtlDays: 7,
      },
      pino({ level: 'silent' }),
    )
    const plan = await getMigrations(auth.options, { throwOnUnsafe: false })
    expect(plan.toBeCreated.map((c) => c.table)).toEqual([])
    expect(plan.toBeAdded.map((a) => `${a.table}: ${Object.keys(a.fields).join(', ')}`)).toEqual([])
  })

  it('puts org_id on every tenant-owned table, with an index that starts with it', async () => {
    // PostgreSQL introspection lists every schema, and test files running alongside have their own.
    const schema =
      dialect === 'postgres'
        ? (await sql<{ name: string }>`select current_schema() as name`.execute(database.db)).rows[0]?.name
        : undefined
    const tables = (await database.db.introspection.getTables()).filter(
      (t) => schema === undefined || t.schema === schema,
    )
    // Views (v_leaderboard) hold no rows of their own.
    const tenantTables = tables
      .filter((t) => !t.isView && t.columns.some((c) => c.name === 'org_id'))
      .map((t) => t.name)
    expect(tenantTables.sort()).toEqual([
      'api_tokens',
      'audit_log',
      'conversation_participants',
      'conversations',
      'course_instructors',
      'course_students',
      'course_teams',
      'gamification_activity_day',
      'gamification_award',
      'gamification_badge',
      'gamification_counter',
      'gamification_score',
      'gamification_score_histogram',
      'gamification_settings',
      'gamification_streak',
      'gamification_week_score',
      'gamification_xp_rebuild',
      'hearts',
      'integration_outbox',
      'invitations',
      'job_runs',
      'kms_resource',
      'lms_class',
      'lms_course',
      'lms_event',
      'lms_instructor',
      'lms_signal',
      'lms_student',
      'mail_outbox',
      'mastery_question',
      'memberships',
      'message_attachments',
      'message_reports',
      'messages',
      'notification_preferences',
      'notifications',
      'privacy_departures',
      'privacy_settings',
      'quizzes',
      'realtime_events',
      'realtime_presence',
      'realtime_recipients',
      'realtime_streams',
      'realtime_tickets',
      'step_caption',
      'tally_inbox',
      'tally_rejections',
      'team_members',
      'teams',
      'v_course_mastery',
      'v_skill_mastery',
      'v_streak_history',
      'v_user_progress',
      'webhook_deliveries',
      'webhook_subscriptions',
      'xp_ledger',
    ])
    for (const table of tenantTables) {
      const indexed =
        dialect === 'sqlite'
          ? await sql<{ name: string }>`select il.name from pragma_index_list(${table}) il
              where (select name from pragma_index_info(il.name) where seqno = 0) = 'org_id'`.execute(
              database.db,
            )
          : await sql<{ name: string }>`select indexname as name from pg_indexes
              where schemaname = current_schema() and tablename = ${table} and indexdef ~ '\\(org_id'`.execute(
              database.db,
            )
      expect(indexed.rows.length, `${table} has an index led by org_id`).toBeGreaterThan(0)
    }
  })
})

describe('the embedded SQLite file', () => {
  let database: TestDatabase

  beforeAll(async () => {
    database = await createTestDatabase('sqlite')
  })
  afterAll(() => database.drop())

  it('runs in WAL mode with foreign keys enforced and a busy timeout', async () => {
    const pragma = async (name: string) =>
      Object.values((await sql.raw(`pragma ${name}`).execute(database.db)).rows[0] as object)[0]
    expect(await pragma('journal_mode')).toBe('wal')
    expect(await pragma('foreign_keys')).toBe(1)
    expect(await pragma('busy_timeout')).toBe(5000)
  })

  it('refuses a membership for an organisation that does not exist', async () => {
    const insert = database.db
      .insertInto('memberships')
      .values({
        id: 'm1',
        org_id: 'missing',
        user_id: 'missing',
        role: 'student',
        created_at: '2026-11-22T00:00:00.000Z',
        updated_at: '2026-11-22T00:00:00.000Z',
      })
      .execute()
    await expect(insert).rejects.toThrow(/FOREIGN KEY/)
  })
})

describe('two processes opening one new SQLite file', () => {
  it('both end on the latest schema: the one that loses the race tries again instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sillon-migrate-race-'))
    // Two processes, started once, each migrating the file named on every line it reads: starting them
    // costs far more than a round, and both get each round's line at the same moment.
    const script = [
      "import { createInterface } from 'node:readline'",
      "import { openSqlite } from './src/core/db/connect-node.ts'",
      "import { migrateToLatest } from './src/core/db/migrate.ts'",
      'for await (const file of createInterface({ input: process.stdin })) {',
      '  try {',
      '    const handle = openSqlite(file)',
      '    await migrateToLatest(handle.db)',
      '    await handle.close()',
      "    console.log('ok')",
      '  } catch (err) {',
      "    console.log('failed: ' + String(err).replaceAll('\\n', ' '))",
      '  }',
      '}',
    ].join('\n')
    const migrators = [0, 1].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['pipe', 'pipe', 'inherit'],
      })
      const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
      return { child, answer: async () => String((await answers.next()).value) }
    })
    try {
      // Each round starts from a new file; one round rarely loses the race, several do.
      for (let round = 0; round < 12; round++) {
        const file = join(dir, `round-${round}.db`)
        for (const { child } of migrators) child.stdin.write(`${file}\n`)
        expect(await Promise.all(migrators.map((m) => m.answer()))).toEqual(['ok', 'ok'])
      }
    } finally {
      for (const { child } of migrators) child.stdin.end()
      await Promise.all(migrators.map(({ child }) => new Promise((closed) => child.once('close', closed))))
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
