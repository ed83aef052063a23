import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { completeSteps, createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { setSuperadmin } from '../identity/index.ts'
import { pseudonymisePerson, recordAudit, systemActor } from './index.ts'

// The audit log through the routes: each administrative action writes one entry, in the action's
// transaction, naming who (and from which address and browser), what, on what and when; owners read their
// school's entries, platform administrators any school's and the platform's own.

const FROM = { 'X-Forwarded-For': '203.0.113.7, 10.0.0.1', 'User-Agent': 'AuditTest/1.0' }

type Member = Awaited<ReturnType<typeof signedInMember>>

describe.each(testDialects())('the audit log on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let owner: Member
  let admin: Member
  let student: Member
  let maxCourses: number | null = null

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      env: { TRUST_PROXY: 'true' },
      deps: { planLimits: async () => ({ max_students: null, max_courses: maxCourses }) },
    })
    orgId = (await createOrg(t)).id
    owner = await signedInMember(t, orgId, 'owner')
    admin = await signedInMember(t, orgId, 'admin')
    student = await signedInMember(t, orgId, 'student')
  })
  afterAll(() => t.close())

  async function latest(client: TestClient = owner.client, query = '') {
    const res = await client.get(`/api/audit?limit=1${query}`)
    expect(res.status).toBe(200)
    return res.body.data[0]
  }

  const countEntries = async () =>
    Number(
      (
        await t.database.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('records a role change with who did it, from where, and the roles before and after', async () => {
    t.clock.advance(60_000)
    const res = await owner.client.patch(`/api/members/${student.userId}`, { role: 'instructor' }, FROM)
    expect(res.status).toBe(200)
    expect(await latest()).toEqual({
      id: expect.any(String),
      org_id: orgId,
      occurred_at: t.clock.now().toISOString(),
      actor: { kind: 'member', id: owner.userId, label: expect.stringContaining(owner.email) },
      action: 'member.role_changed',
      target: { type: 'member', id: student.userId, label: expect.stringContaining(student.email) },
      details: { from: 'student', to: 'instructor' },
      ip: '203.0.113.7',
      user_agent: 'AuditTest/1.0',
    })
    await owner.client.patch(`/api/members/${student.userId}`, { role: 'student' })
  })

  it('writes nothing when the action is refused, and refuses the action when its entry cannot be written', async () => {
    const before = await countEntries()
    const lastOwner = await owner.client.patch(`/api/members/${owner.userId}`, { role: 'admin' })
    expect(lastOwner.status).toBe(409)
    expect(await countEntries()).toBe(before)

    // Without its table the entry cannot be written: the role change it belongs to is rolled back with it.
    await sql`alter table audit_log rename to audit_log_away`.execute(t.database.db)
    try {
      const res = await owner.client.patch(`/api/members/${student.userId}`, { role: 'instructor' })
      expect(res.status).toBe(500)
    } finally {
      await sql`alter table audit_log_away rename to audit_log`.execute(t.database.db)
    }
    expect((await owner.client.get(`/api/members/${student.userId}`)).body.role).toBe('student')
    expect(await countEntries()).toBe(before)
  })

  it('records invitations, token creation and revocation, and removals', async () => {
    const invited = await admin.client.post('/api/members', {
      email: 'Paul.Durand@Example.org',
      name: 'Paul Durand',
      role: 'student',
    })
    expect(invited.status).toBe(201)
    expect(await latest()).toMatchObject({
      actor: { kind: 'member', id: admin.userId },
      action: 'member.invited',
      target: { type: 'invitation', id: invited.body.id, label: 'paul.durand@example.org' },
      details: { role: 'student', class: null },
    })

    const token = await admin.client.post('/api/tokens', { name: 'Roster sync' })
    expect(token.status).toBe(201)
    expect(await latest()).toMatchObject({
      action: 'token.created',
      target: { type: 'api_token', id: token.body.id, label: 'Roster sync' },
      details: { owner: admin.email },
    })
    expect(JSON.stringify(await latest())).not.toContain(token.body.token)
    expect((await admin.client.delete(`/api/tokens/${token.body.id}`)).status).toBe(204)
    expect(await latest()).toMatchObject({
      action: 'token.revoked',
      target: { type: 'api_token', id: token.body.id },
    })

    const leaving = await signedInMember(t, orgId, 'instructor')
    await leaving.client.post('/api/tokens', { name: 'Mine' })
    expect((await owner.client.delete(`/api/members/${leaving.userId}`, FROM)).status).toBe(204)
    expect(await latest()).toMatchObject({
      actor: { id: owner.userId },
      action: 'member.removed',
      target: { type: 'member', id: leaving.userId },
      details: { role: 'instructor', tokens_revoked: 1 },
      ip: '203.0.113.7',
    })
  })

  it('records publishing, archiving, exports and imports of courses; a failed import leaves no entry', async () => {
    const course = (await admin.client.post('/api/lms/courses', { name: 'Audited course' })).body
    await admin.client.post('/api/lms/classes', { course_id: course.id, ...completeSteps.video })
    expect((await admin.client.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
    expect(await latest()).toMatchObject({
      action: 'course.published',
      target: { type: 'course', id: course.id, label: 'Audited course' },
      details: { from: 'draft' },
    })
    const exported = await admin.client.get(`/api/lms/courses/${course.id}/export`)
    expect(exported.status).toBe(200)
    expect(await latest()).toMatchObject({ action: 'course.exported', target: { id: course.id } })

    const imported = await admin.client.post('/api/lms/courses/import', exported.body)
    expect(imported.status).toBe(201)
    expect(await latest()).toMatchObject({
      action: 'course.imported',
      actor: { id: admin.userId },
      target: { type: 'course', id: imported.body.id, label: 'Audited course' },
      details: { steps: 1, handout: 0 },
    })

    const before = await countEntries()
    maxCourses = 1
    try {
      expect((await admin.client.post('/api/lms/courses/import', exported.body)).status).toBe(409)
    } finally {
      maxCourses = null
    }
    expect(await countEntries()).toBe(before)

    expect((await admin.client.post(`/api/courses/${course.id}/archive`)).status).toBe(200)
    expect(await latest()).toMatchObject({ action: 'course.archived', details: { from: 'published' } })
    expect((await admin.client.post(`/api/courses/${course.id}/archive`)).status).toBe(200)
    expect(await countEntries()).toBe(before + 1)
  })

  it('records the gamification settings that changed, before and after, and nothing for no change', async () => {
    const res = await admin.client.patch('/api/gamification/settings', {
      xp: { quiz_passed: 60, video_completed: 10 },
      hearts: { max_hearts: 3 },
    })
    expect(res.status).toBe(200)
    expect(await latest()).toMatchObject({
      action: 'gamification.settings_changed',
      target: { type: 'gamification_settings', id: orgId },
      details: {
        changes: {
          'xp.quiz_passed': { from: 50, to: 60 },
          'hearts.max_hearts': { from: 5, to: 3 },
        },
      },
    })
    expect(Object.keys((await latest()).details.changes)).toHaveLength(2)
    const before = await countEntries()
    await admin.client.patch('/api/gamification/settings', { xp: { quiz_passed: 60 } })
    expect(await countEntries()).toBe(before)
  })

  it('shows the log to owners only, and never another school’s entries', async () => {
    for (const role of ['admin', 'instructor', 'student', 'support'] as const) {
      const member = role === 'admin' ? admin : await signedInMember(t, orgId, role)
      expect((await member.client.get('/api/audit')).status, role).toBe(403)
      expect((await member.client.get('/api/audit.csv')).status, role).toBe(403)
    }
    expect((await owner.client.get('/api/platform/audit')).status).toBe(403)

    const otherOrg = await createOrg(t)
    const otherOwner = await signedInMember(t, otherOrg.id, 'owner')
    const theirs = await otherOwner.client.get('/api/audit')
    expect(theirs.body).toEqual({ data: [], total: 0 })
    expect((await otherOwner.client.get('/api/audit.csv')).body).not.toContain(orgId)
  })

  it('pages 25 entries at a time, newest first, with filters on action, actor, target, text and dates', async () => {
    const all = await owner.client.get('/api/audit?limit=100')
    const total = all.body.total as number
    expect(total).toBe(all.body.data.length)
    expect(total).toBeGreaterThan(8)
    const times = all.body.data.map((e: { occurred_at: string }) => e.occurred_at)
    expect([...times].sort().reverse()).toEqual(times)

    for (let i = 0; i < 26 - total + 1; i++) {
      await admin.client.patch('/api/gamification/settings', { xp: { streak_day: 10 + i } })
    }
    const first = await owner.client.get('/api/audit')
    expect(first.body.data).toHaveLength(25)
    expect(first.body.total).toBeGreaterThan(25)
    const second = await owner.client.get('/api/audit?offset=25')
    expect(second.body.data.length).toBe(first.body.total - 25)
    expect(second.body.data[0].id).not.toBe(first.body.data[24].id)

    const roles = await owner.client.get('/api/audit?action=member.role_changed')
    expect(roles.body.data.map((e: { action: string }) => e.action)).toEqual([
      'member.role_changed',
      'member.role_changed',
    ])
    const byOwner = await owner.client.get(`/api/audit?actor_id=${owner.userId}&limit=100`)
    expect(byOwner.body.data.every((e: { actor: { id: string } }) => e.actor.id === owner.userId)).toBe(true)
    const aboutStudent = await owner.client.get(`/api/audit?target_type=member&target_id=${student.userId}`)
    expect(aboutStudent.body.total).toBe(2)
    const byText = await owner.client.get(`/api/audit?query=${encodeURIComponent('PAUL.DURAND')}`)
    expect(byText.body.data.map((e: { action: string }) => e.action)).toEqual(['member.invited'])
    expect((await owner.client.get('/api/audit?from=2026-11-23')).body.total).toBe(0)
    expect((await owner.client.get('/api/audit?to=2026-11-22')).body.total).toBe(first.body.total)
    expect((await owner.client.get('/api/audit?to=2026-11-22T09:00:30Z')).body.total).toBe(0)
    expect((await owner.client.get('/api/audit?action=member.sneezed')).status).toBe(400)
  })

  it('exports the filtered log as CSV', async () => {
    const res = await owner.client.get('/api/audit.csv?action=member.role_changed')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(res.headers.get('content-disposition')).toContain('audit-log.csv')
    const lines = (res.body as string)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    expect(lines[0]).toBe(
      'occurred_at,org_id,actor_kind,actor_id,actor,action,target_type,target_id,target,details,ip,user_agent',
    )
    expect(lines).toHaveLength(3)
    expect(lines[2]).toContain('member.role_changed')
    expect(lines[2]).toContain('"{""from"":""student"",""to"":""instructor""}"')
    expect(lines[2]).toContain('203.0.113.7')
  })

  it('records superadmin grants as platform entries, which only platform administrators read', async () => {
    const operator = await signedInMember(t, orgId, 'admin')
    await setSuperadmin(t.identity, operator.email, true)
    expect((await owner.client.get('/api/audit?action=superadmin.granted')).body.total).toBe(0)
    const platform = await operator.client.get('/api/platform/audit?org_id=platform')
    expect(platform.status).toBe(200)
    expect(platform.body.data).toEqual([
      expect.objectContaining({
        org_id: null,
        actor: { kind: 'cli', id: null, label: null },
        action: 'superadmin.granted',
        target: { type: 'user', id: operator.userId, label: expect.stringContaining(operator.email) },
      }),
    ])
    const school = await operator.client.get(`/api/platform/audit?org_id=${orgId}&action=member.removed`)
    expect(school.body.total).toBe(1)
    const everywhere = await operator.client.get('/api/platform/audit?limit=100')
    expect(everywhere.body.total).toBeGreaterThan(school.body.total)
    const csv = await operator.client.get('/api/platform/audit.csv?org_id=platform')
    expect(csv.body).toContain('superadmin.granted')

    // Acting as a superadmin is said so in what they do.
    await operator.client.patch('/api/gamification/settings', { xp: { perfect_quiz: 30 } })
    expect((await latest()).actor).toMatchObject({ kind: 'superadmin', id: operator.userId })
    await setSuperadmin(t.identity, operator.email, false)
  })

  it('pseudonymises an erased person in the entries that name them, and only there', async () => {
    const entries = await owner.client.get('/api/audit?limit=100')
    const naming = entries.body.data.filter(
      (e: { actor: { id: string }; target: { id: string } }) =>
        e.actor.id === owner.userId || e.target.id === owner.userId,
    )
    expect(naming.length).toBeGreaterThan(0)
    const others = entries.body.data.filter(
      (e: { id: string }) => !naming.some((n: { id: string }) => n.id === e.id),
    )
    const changed = await pseudonymisePerson(
      t.database.db,
      orgId,
      { ids: [owner.userId], values: [owner.email, 'Test owner'] },
      'erased-0001',
    )
    expect(changed).toBeGreaterThanOrEqual(naming.length)

    const after = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', orgId)
      .execute()
    const text = JSON.stringify(after)
    expect(text).not.toContain(owner.userId)
    expect(text.toLowerCase()).not.toContain(owner.email.toLowerCase())
    const role = after.find(
      (e) => e.action === 'member.role_changed' && e.details_json.includes('"to":"instructor"'),
    )
    expect(role).toMatchObject({
      actor_id: 'erased-0001',
      actor_label: 'erased-0001',
      ip: null,
      user_agent: null,
    })
    expect(JSON.parse(role?.details_json ?? '')).toEqual({ from: 'student', to: 'instructor' })
    // A name with letters SQLite's lower() does not fold is found as written.
    await recordAudit(t.gamification, {
      orgId,
      actor: systemActor,
      action: 'person.exported',
      target: { type: 'person', id: 'profile-1', label: 'Élodie Núñez' },
      details: { about: 'ÉLODIE NÚÑEZ, Élodie Núñez' },
    })
    expect(
      await pseudonymisePerson(
        t.database.db,
        orgId,
        { ids: ['user-9'], values: ['Élodie Núñez'] },
        'erased-0002',
      ),
    ).toBe(1)
    expect(await latest()).toMatchObject({
      target: { id: 'profile-1', label: 'erased-0002' },
      details: { about: 'erased-0002, erased-0002' },
    })

    // Entries of other people keep what they said.
    const untouched = others.filter(
      (e: { actor: { label: string | null } }) => !e.actor.label?.includes('Test owner'),
    )
    for (const entry of untouched) {
      expect(after.find((e) => e.id === entry.id)).toMatchObject({ actor_id: entry.actor.id, ip: entry.ip })
    }
  })
})
