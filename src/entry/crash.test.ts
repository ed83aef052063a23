import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestClient } from '../../test/helpers/app.ts'
import { createEmptyPostgresDatabase, testDialects } from '../../test/helpers/databases.ts'
import {
  freePort,
  killChildren,
  pingsUnderLoad,
  runToExit,
  startServer,
} from '../../test/helpers/processes.ts'
import { openPostgres, openSqlite } from '../core/db/connect-node.ts'
import type { DbHandle } from '../core/db/database.ts'

// Crash safety: what the server acknowledged survives a SIGKILL, and after a restart the read models agree
// with the event log. On SQLite the server runs in embedded mode; on PostgreSQL it gets a database of its own.

const ACKNOWLEDGED_BEFORE_KILL = 40
const INGEST_DEADLINE_MS = 10_000

describe.each(testDialects())('a server killed while it ingests, on %s', (dialect) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sillon-crash-'))
  let env: Record<string, string> = { DATA_DIR: dataDir }
  let openDatabase: () => DbHandle = () => openSqlite(join(dataDir, 'sillon.db'))
  let dropDatabase = async () => {}

  beforeAll(async () => {
    if (dialect !== 'postgres') return
    const { url, drop } = await createEmptyPostgresDatabase()
    dropDatabase = drop
    // A PostgreSQL server seeds the demo school only when asked, and needs a shared session secret.
    env = {
      ...env,
      DATABASE_URL: url,
      SESSION_SECRET: 'a-session-secret-for-the-crash-test-only',
      SEED_DEMO: 'true',
    }
    openDatabase = () => openPostgres(url, { max: 2 })
  })

  afterAll(async () => {
    await killChildren()
    await dropDatabase()
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function readModels() {
    const database = openDatabase()
    try {
      const progress = await database.db
        .selectFrom('v_user_progress')
        .selectAll()
        .orderBy('class_id')
        .orderBy('student_id')
        .execute()
      const signals = await database.db.selectFrom('lms_signal').selectAll().orderBy('id').execute()
      const events = await database.db.selectFrom('lms_event').select('id').execute()
      return { models: JSON.stringify({ progress, signals }), eventIds: new Set(events.map((e) => e.id)) }
    } finally {
      await database.close()
    }
  }

  it('keeps every acknowledged event, and its read models match a replay after restart', async () => {
    const first = await startServer({ ...env, PORT: String(await freePort()) })
    const lea = new TestClient(first.url)
    const login = await lea.post('/api/auth/login', {
      email: 'lea@demo.sillon.test',
      password: 'demo-sillon',
    })
    expect(login.status, 'the demo school is seeded').toBe(200)
    const classId = (await lea.get('/api/learner')).body.courses[0].current_step.class_id

    const load = pingsUnderLoad(lea, classId)
    const { acknowledged, refused } = load
    await load.until(ACKNOWLEDGED_BEFORE_KILL, INGEST_DEADLINE_MS)
    const stopped = load.stop()
    await killChildren()
    await stopped
    expect(acknowledged.length, refused.slice(0, 3).join('\n')).toBeGreaterThanOrEqual(
      ACKNOWLEDGED_BEFORE_KILL,
    )

    const second = await startServer({ ...env, PORT: String(await freePort()) })
    expect(await second.stop()).toBe(0)
    const reconcile = await runToExit(['bin/sillon.js', 'projections', 'reconcile'], env)
    expect(reconcile.code, reconcile.stderr).toBe(0)

    const after = await readModels()
    expect(acknowledged.filter((id) => !after.eventIds.has(id))).toEqual([])
    const rebuild = await runToExit(['bin/sillon.js', 'projections', 'rebuild'], env)
    expect(rebuild.code, rebuild.stderr).toBe(0)
    expect((await readModels()).models).toEqual(after.models)
    // Two server starts and two commands, each a process of its own: about 20 s on a quiet 2-core machine.
  }, 90_000)
})
