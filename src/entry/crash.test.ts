import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TestClient } from '../../test/helpers/app.ts'
import { freePort, killChildren, runToExit, startServer } from '../../test/helpers/processes.ts'
import { openSqlite } from '../core/db/connect-node.ts'

// Crash safety of the embedded mode: what the server acknowledged survives a SIGKILL, and after a restart
// the read models agree with the event log.

describe('a server killed while it ingests', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sillon-crash-'))
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }

  afterAll(async () => {
    await killChildren()
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function readModels() {
    const database = openSqlite(join(dataDir, 'sillon.db'))
    try {
      const progress = await database.db
        .selectFrom('v_user_progress')
        .selectAll()
        .orderBy('class_id')
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
    await lea.post('/api/auth/login', { email: 'lea@demo.sillon.test', password: 'demo-sillon' })
    const classId = (await lea.get('/api/learner')).body.courses[0].current_step.class_id

    const acknowledged: string[] = []
    let killed = false
    const sender = async (lane: number) => {
      for (let i = 0; !killed; i++) {
        const id = crypto.randomUUID()
        try {
          const res = await lea.post('/api/video-event', {
            event_id: id,
            class_id: classId,
            position: lane + i / 100,
          })
          if (res.status === 200 && res.body.results[0].status === 'accepted') acknowledged.push(id)
        } catch {
          return
        }
      }
    }
    const lanes = [0, 1, 2, 3].map(sender)
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 20))
    killed = true
    await killChildren()
    await Promise.all(lanes)

    const second = await startServer({ ...env, PORT: String(await freePort()) })
    expect(await second.stop()).toBe(0)
    const reconcile = await runToExit(['bin/sillon.js', 'projections', 'reconcile'], env)
    expect(reconcile.code, reconcile.stderr).toBe(0)

    const after = await readModels()
    expect(acknowledged.filter((id) => !after.eventIds.has(id))).toEqual([])
    const rebuild = await runToExit(['bin/sillon.js', 'projections', 'rebuild'], env)
    expect(rebuild.code, rebuild.stderr).toBe(0)
    expect((await readModels()).models).toEqual(after.models)
  })
})
