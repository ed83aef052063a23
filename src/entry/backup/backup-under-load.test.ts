import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TestClient } from '../../../test/helpers/app.ts'
import { sillon } from '../../../test/helpers/cli.ts'
import { REBUILT_READ_MODELS, testDialects } from '../../../test/helpers/databases.ts'
import { emptyInstance, type Instance, tableContents, withDatabase } from '../../../test/helpers/instances.ts'
import {
  freePort,
  killChildren,
  pingsUnderLoad,
  runToExit,
  startServer,
} from '../../../test/helpers/processes.ts'

// A backup taken while the real server ingests video pings holds every event acknowledged before it began,
// and the copy restored from it is consistent: rebuilding its read models from its logs changes nothing.

const ACKNOWLEDGED_BEFORE_BACKUP = 40
const INGEST_DEADLINE_MS = 15_000
const COMMAND_TIMEOUT_MS = 60_000
/** The read models, and the signal log, which progress writes again on a rebuild. */
const READ_MODELS = [...REBUILT_READ_MODELS, 'lms_signal']

/** Signs a demo account in. */
async function signIn(serverUrl: string, email: string): Promise<TestClient> {
  const client = new TestClient(serverUrl)
  const login = await client.post('/api/auth/login', { email, password: 'demo-sillon' })
  expect(login.status, 'the demo school is seeded').toBe(200)
  return client
}

/**
 * Hugo watches the first video to the end, cut to 4 s for him by the teacher (as the browser tests do) and
 * then given back its length, so that the logs hold signals and the gamification read models have rows to
 * compare after the rebuild. Returns that step.
 */
async function hugoCompletesTheFirstVideo(serverUrl: string): Promise<string> {
  const hugo = await signIn(serverUrl, 'hugo@demo.sillon.test')
  const prof = await signIn(serverUrl, 'prof@demo.sillon.test')
  const classId: string = (await hugo.get('/api/learner')).body.courses[0].current_step.class_id
  const { video } = (await prof.get(`/api/lms/classes/${classId}`)).body
  const setVideo = async (url: string, duration_sec: number) => {
    const patched = await prof.patch(`/api/lms/classes/${classId}`, {
      video: { source: 'url', url, duration_sec },
    })
    expect(patched.status, JSON.stringify(patched.body)).toBe(200)
  }
  await setVideo(`${String(video.url).split('#')[0]}#t=0,4`, 4)
  for (const position of [0, 1, 2, 3, 4]) {
    const ping = { event_id: crypto.randomUUID(), class_id: classId, position }
    expect((await hugo.post('/api/video-event', ping)).body.results[0].status).toBe('accepted')
  }
  await setVideo(video.url, video.duration_sec)
  const next = (await hugo.get('/api/learner')).body.courses[0].current_step.class_id
  expect(next, 'Hugo is done with the first step').not.toBe(classId)
  return classId
}

describe.each(testDialects())('a backup taken while the server ingests, on %s', (dialect) => {
  const work = mkdtempSync(join(tmpdir(), 'sillon-backup-load-'))
  const instances: Instance[] = []

  afterAll(async () => {
    await killChildren()
    for (const instance of instances) await instance.drop()
    rmSync(work, { recursive: true, force: true })
  })

  it('holds every event acknowledged before it began, and restores a copy whose rebuild equals its read models', async () => {
    const source = await emptyInstance(dialect)
    instances.push(source)
    const server = await startServer({ ...source.env, SEED_DEMO: 'true', PORT: String(await freePort()) })
    // Léa then watches the same video, at its full length: her step stays open under the pings.
    const classId = await hugoCompletesTheFirstVideo(server.url)
    const lea = await signIn(server.url, 'lea@demo.sillon.test')

    const load = pingsUnderLoad(lea, classId)
    const { acknowledged, refused } = load
    await load.until(ACKNOWLEDGED_BEFORE_BACKUP, INGEST_DEADLINE_MS)
    const before = [...acknowledged]
    const archive = join(work, 'under-load.tar.gz')
    // A process of its own, as cron would run it: in this one, SQLite's synchronous VACUUM INTO would also
    // hold up the pings this test sends.
    const backup = await runToExit(['bin/sillon.js', 'backup', archive], source.env, COMMAND_TIMEOUT_MS)
    const duringBackup = acknowledged.length - before.length
    await load.stop()
    expect(await server.stop()).toBe(0)
    expect(backup.code, backup.stderr).toBe(0)
    expect(before.length, refused.slice(0, 3).join('\n')).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_BACKUP)
    expect(duringBackup, 'the server kept acknowledging pings while the backup ran').toBeGreaterThan(0)

    const target = await emptyInstance(dialect)
    instances.push(target)
    const restore = await sillon(['restore', archive], target.env)
    expect(restore.code, restore.stderr).toBe(0)

    const eventIds = await withDatabase(target, async (handle) => {
      const rows = await handle.db.selectFrom('lms_event').select('id').execute()
      return new Set(rows.map((r) => r.id))
    })
    expect(before.filter((id) => !eventIds.has(id))).toEqual([])

    // What the restored app does when it starts: catch up projections on events the snapshot caught
    // between their append and their projection. Then a rebuild from the logs must change nothing.
    const reconcile = await sillon(['projections', 'reconcile'], target.env)
    expect(reconcile.code, reconcile.stderr).toBe(0)
    const readModels = await withDatabase(target, (handle) => tableContents(handle, READ_MODELS))
    expect(readModels.v_user_progress?.length).toBeGreaterThan(0)
    expect(readModels.lms_signal?.length).toBeGreaterThan(0)
    expect(readModels.xp_ledger?.length).toBeGreaterThan(0)
    const rebuild = await sillon(['projections', 'rebuild'], target.env)
    expect(rebuild.code, rebuild.stderr).toBe(0)
    expect(await withDatabase(target, (handle) => tableContents(handle, READ_MODELS))).toEqual(readModels)
  }, 120_000)
})
