import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createMember, createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { runJobByHand } from '../../core/jobs/commands.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import { addMember } from '../identity/index.ts'

// A school keeps the data of members who left for its retention period, then the nightly job erases them,
// as an administrator would: those who left later, and those who came back, stay.

const DAY = 86_400_000
const silent = pino({ level: 'silent' })

describe.each(testDialects())('retention of former members on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let owner: TestClient
  const start = Date.parse('2026-11-23T10:00:00.000Z')

  beforeAll(async () => {
    t = await startTestApp(dialect)
    t.clock.set(new Date(start).toISOString())
    orgId = (await createOrg(t)).id
    owner = (await signedInMember(t, orgId, 'owner')).client
  })
  afterAll(() => t.close())

  /** The retention job for the school, for the night after `day` (01:30 UTC is 02:30 in Paris). */
  async function nightAfter(day: number) {
    const at = new Date(start + (day + 1) * DAY - 8.5 * 3_600_000)
    t.clock.set(at.toISOString())
    const runs = await runJobByHand(
      { db: t.database.db, clock: t.clock, logger: silent, registry: t.jobs },
      t.jobs.find('privacy.retention') as ScheduledJob,
      at,
      orgId,
    )
    expect(runs.map((r) => r.result.error)).toEqual([null])
  }

  const account = (userId: string) =>
    t.database.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()
  const profile = (userId: string) =>
    t.database.db
      .selectFrom('lms_student')
      .select('id')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .executeTakeFirst()

  it('keeps everything until the school sets a retention, and records the change', async () => {
    expect((await owner.get('/api/privacy/settings')).body).toEqual({ retention_days: null })
    const res = await owner.put('/api/privacy/settings', { retention_days: 30 })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toEqual({ retention_days: 30 })
    const entry = await t.database.db
      .selectFrom('audit_log')
      .select('details_json')
      .where('org_id', '=', orgId)
      .where('action', '=', 'privacy.retention_changed')
      .executeTakeFirstOrThrow()
    expect(JSON.parse(entry.details_json)).toEqual({ from: null, to: 30 })
    expect((await owner.put('/api/privacy/settings', { retention_days: 0 })).status).toBe(400)
    const student = (await signedInMember(t, orgId, 'student')).client
    expect((await student.get('/api/privacy/settings')).status).toBe(403)
  })

  it('erases a member once the retention has passed since they left, and no one else', async () => {
    const early = await createMember(t, orgId, 'student')
    const late = await createMember(t, orgId, 'student')
    const back = await createMember(t, orgId, 'student')
    const stays = await createMember(t, orgId, 'student')
    for (const m of [early, back]) expect((await owner.delete(`/api/members/${m.userId}`)).status).toBe(204)
    await nightAfter(0)
    expect((await owner.delete(`/api/members/${late.userId}`)).status).toBe(204)
    await nightAfter(10)
    await addMember(t.identity, orgId, 'cli', { email: back.email, name: 'Test student', role: 'student' })
    await nightAfter(29)
    expect(await account(early.userId)).toBeDefined()
    await nightAfter(30)
    expect(await account(early.userId)).toBeUndefined()
    expect(await profile(early.userId)).toBeUndefined()
    for (const m of [late, back, stays]) expect(await account(m.userId), m.email).toBeDefined()
    expect(await profile(late.userId)).toBeDefined()
    await nightAfter(40)
    expect(await account(late.userId)).toBeUndefined()
    expect(await profile(back.userId)).toBeDefined()
    const erasures = await t.database.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'target_type'])
      .where('org_id', '=', orgId)
      .where('action', '=', 'person.erased')
      .execute()
    expect(erasures).toEqual([
      { actor_kind: 'system', target_type: 'person' },
      { actor_kind: 'system', target_type: 'person' },
    ])
  })
})
