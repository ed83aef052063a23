import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createMember, createOrg, PASSWORD, signedInMember, signIn } from '../../../test/helpers/factories.ts'
import { addMember } from './index.ts'

describe.each(testDialects())('members and organisations on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: Awaited<ReturnType<typeof signedInMember>>
  let owner: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    owner = await signedInMember(t, orgId, 'owner')
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  const tokenOf = (url: string) => new URL(url).hash.replace('#token=', '')
  const shapeOf = (value: unknown): unknown =>
    value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]))
      : typeof value

  it('adds a new student by invitation: the account they create has the given name and a student profile', async () => {
    const res = await admin.client.post('/api/members', {
      email: 'Nina.Petit@Example.org',
      name: 'Nina Petit',
      role: 'student',
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ email: 'nina.petit@example.org', name: 'Nina Petit', role: 'student' })
    const visitor = t.client()
    const accepted = await visitor.post('/api/invitations/accept', {
      token: tokenOf(res.body.url),
      password: 'violet-harbour-lantern',
    })
    expect(accepted.status).toBe(200)
    expect(accepted.body).toMatchObject({ account_created: true, signed_in: true, role: 'student' })
    const profile = await t.database.db
      .selectFrom('lms_student')
      .selectAll()
      .where('user_id', '=', accepted.body.user_id)
      .executeTakeFirstOrThrow()
    expect(profile).toMatchObject({
      org_id: orgId,
      name: 'Nina Petit',
      first_name: 'Nina',
      last_name: 'Petit',
    })
    expect(JSON.parse(profile.emails_json)).toEqual([{ email: 'nina.petit@example.org', type: 'WORK' }])
    expect((await visitor.get('/api/auth/me')).body.user.name).toBe('Nina Petit')
  })

  it('answers the same for an address of another school as for an unknown one, and attaches nothing', async () => {
    const otherOrg = await createOrg(t)
    const { member: existing } = await addMember(
      t.identity,
      otherOrg.id,
      'cli',
      { email: 'secret.agent@example.org', name: 'Véritable Nom', role: 'student', password: PASSWORD },
      { passwordCheck: false },
    )
    const known = await admin.client.post('/api/members', {
      email: existing.email.toUpperCase(),
      name: 'Given Name',
      role: 'student',
    })
    const unknown = await admin.client.post('/api/members', {
      email: 'nobody.yet@example.org',
      name: 'Given Name',
      role: 'student',
    })
    expect(known.status).toBe(201)
    expect(unknown.status).toBe(known.status)
    expect(shapeOf(known.body)).toEqual(shapeOf(unknown.body))
    expect(known.body.name).toBe('Given Name')
    const text = JSON.stringify(known.body)
    expect(text).not.toContain('Véritable Nom')
    expect(text).not.toContain(existing.user_id)
    expect((await admin.client.get(`/api/members/${existing.user_id}`)).status).toBe(404)
    const members = await admin.client.get('/api/members?limit=500')
    expect(JSON.stringify(members.body)).not.toContain(existing.email)
    const preview = await t.client().post('/api/invitations/preview', { token: tokenOf(known.body.url) })
    expect(preview.body).not.toHaveProperty('account_exists')
    const user = await t.database.db
      .selectFrom('users')
      .select('last_org_id')
      .where('id', '=', existing.user_id)
      .executeTakeFirstOrThrow()
    expect(user.last_org_id).not.toBe(orgId)
  })

  it('refuses to add someone who is already a member', async () => {
    const member = await createMember(t, orgId, 'student')
    const res = await admin.client.post('/api/members', {
      email: member.email,
      name: 'Again',
      role: 'instructor',
    })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('already_member')
  })

  it('validates the request and says what is wrong with each field', async () => {
    const res = await admin.client.post('/api/members', { email: 'not-an-email', role: 'janitor' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path)
    expect(paths).toEqual(expect.arrayContaining(['email', 'name', 'role']))
  })

  it('lists members with role and text filters and pagination', async () => {
    await createMember(t, orgId, 'support', 'zoe.support@example.org')
    const all = await admin.client.get('/api/members?limit=2')
    expect(all.status).toBe(200)
    expect(all.body.data).toHaveLength(2)
    expect(all.body.total).toBeGreaterThan(2)
    const support = await admin.client.get('/api/members?role=support')
    expect(support.body.data.map((m: { email: string }) => m.email)).toEqual(['zoe.support@example.org'])
    const search = await admin.client.get('/api/members?query=ZOE')
    expect(search.body.data).toHaveLength(1)
  })

  it('keeps the owner role in the hands of owners', async () => {
    const grant = await admin.client.post('/api/members', {
      email: 'wannabe@example.org',
      name: 'Wannabe',
      role: 'owner',
    })
    expect(grant.status).toBe(403)
    const demote = await admin.client.patch(`/api/members/${owner.userId}`, { role: 'student' })
    expect(demote.status).toBe(403)
    const remove = await admin.client.delete(`/api/members/${owner.userId}`)
    expect(remove.status).toBe(403)
    const member = await createMember(t, orgId, 'student')
    const promote = await owner.client.patch(`/api/members/${member.userId}`, { role: 'owner' })
    expect(promote.status).toBe(200)
    expect(promote.body.role).toBe('owner')
  })

  it('never leaves an organisation without an owner', async () => {
    const org = await createOrg(t)
    const soleOwner = await signedInMember(t, org.id, 'owner')
    const demote = await soleOwner.client.patch(`/api/members/${soleOwner.userId}`, { role: 'admin' })
    expect(demote.status).toBe(409)
    expect(demote.body.error.code).toBe('last_owner')
    expect((await soleOwner.client.delete(`/api/members/${soleOwner.userId}`)).status).toBe(409)
  })

  it('creates the student profile when a member becomes a student', async () => {
    const member = await createMember(t, orgId, 'support')
    const res = await admin.client.patch(`/api/members/${member.userId}`, { role: 'student' })
    expect(res.status).toBe(200)
    const profile = await t.database.db
      .selectFrom('lms_student')
      .select('id')
      .where('org_id', '=', orgId)
      .where('user_id', '=', member.userId)
      .executeTakeFirst()
    expect(profile).toBeDefined()
  })

  it('removes a member, revokes their tokens there, and keeps their account and profile', async () => {
    const student = await signedInMember(t, orgId, 'student')
    const token = (await student.client.post('/api/tokens', { name: 'mine' })).body.token
    expect((await t.client({ token }).get('/api/auth/me')).status).toBe(200)
    expect((await admin.client.delete(`/api/members/${student.userId}`)).status).toBe(204)
    expect((await admin.client.get(`/api/members/${student.userId}`)).status).toBe(404)
    expect((await t.client({ token }).get('/api/auth/me')).status).toBe(401)
    const me = await student.client.get('/api/auth/me')
    expect(me.status).toBe(200)
    expect(me.body.organisation).toBeNull()
    const profile = await t.database.db
      .selectFrom('lms_student')
      .select('id')
      .where('user_id', '=', student.userId)
      .executeTakeFirst()
    expect(profile).toBeDefined()
  })

  it('lets only admins and owners manage members', async () => {
    const instructor = await signedInMember(t, orgId, 'instructor')
    expect((await instructor.client.get('/api/members')).status).toBe(403)
    const res = await instructor.client.post('/api/members', {
      email: 'x@example.org',
      name: 'X',
      role: 'student',
    })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('forbidden')
    const support = await signedInMember(t, orgId, 'support')
    expect((await support.client.get('/api/members')).status).toBe(200)
  })

  it('lets a member of several schools switch between them', async () => {
    const second = await createOrg(t)
    const member = await createMember(t, orgId, 'instructor')
    // The operator's command line attaches an existing account directly; schools invite.
    await addMember(t.identity, second.id, 'cli', { email: member.email, name: 'x', role: 'student' })
    const client = await signIn(t, member.email)
    const switched = await client.post('/api/auth/organisation', { org_id: second.id })
    expect(switched.status).toBe(200)
    expect(switched.body).toMatchObject({ organisation: { id: second.id }, role: 'student' })
    expect((await client.get('/api/auth/me')).body.organisation.id).toBe(second.id)
    const nextSession = await (await signIn(t, member.email)).get('/api/auth/me')
    expect(nextSession.body.organisation.id).toBe(second.id)
    expect(nextSession.body.organisations).toHaveLength(2)
  })

  it('does not reveal a school the caller does not belong to', async () => {
    const foreign = await createOrg(t)
    const res = await admin.client.post('/api/auth/organisation', { org_id: foreign.id })
    expect(res.status).toBe(404)
    expect((await admin.client.get('/api/auth/me')).body.organisation.id).toBe(orgId)
  })

  it('lets admins rename the school and set its language and time zone', async () => {
    const res = await admin.client.patch('/api/organisation', {
      default_locale: 'en',
      timezone: 'America/Montreal',
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ default_locale: 'en', timezone: 'America/Montreal' })
    const bad = await admin.client.patch('/api/organisation', { timezone: 'Mars/Olympus' })
    expect(bad.status).toBe(400)
  })

  it('lets admins, and no one else, set after how many days the course reports count an abandonment', async () => {
    expect((await admin.client.get('/api/organisation')).body.abandoned_days).toBe(14)
    const set = await admin.client.patch('/api/organisation', { abandoned_days: 30 })
    expect(set.status).toBe(200)
    expect(set.body.abandoned_days).toBe(30)
    expect((await admin.client.get('/api/auth/me')).body.organisation.abandoned_days).toBe(30)
    for (const abandoned_days of [0, 366, 7.5]) {
      const bad = await admin.client.patch('/api/organisation', { abandoned_days })
      expect(bad.status).toBe(400)
      expect(bad.body.error.details.issues[0].path).toBe('abandoned_days')
    }
    for (const role of ['instructor', 'student', 'support'] as const) {
      const other = await signedInMember(t, orgId, role)
      expect((await other.client.patch('/api/organisation', { abandoned_days: 2 })).status).toBe(403)
      expect((await other.client.get('/api/organisation')).body.abandoned_days).toBe(30)
    }
    expect((await admin.client.patch('/api/organisation', { abandoned_days: 14 })).status).toBe(200)
  })

  it('keeps school creation for platform administrators', async () => {
    const body = { slug: 'college-nouveau', name: 'Collège Nouveau' }
    expect((await owner.client.post('/api/admin/organisations', body)).status).toBe(403)
    await t.database.db
      .updateTable('users')
      .set({ is_superadmin: 1 })
      .where('id', '=', owner.userId)
      .execute()
    const created = await owner.client.post('/api/admin/organisations', body)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      slug: 'college-nouveau',
      default_locale: 'fr',
      timezone: 'Europe/Paris',
      abandoned_days: 14,
    })
    expect((await owner.client.post('/api/admin/organisations', body)).status).toBe(409)
    const list = await owner.client.get('/api/admin/organisations')
    expect(list.body.data.map((o: { slug: string }) => o.slug)).toContain('college-nouveau')
    await t.database.db
      .updateTable('users')
      .set({ is_superadmin: 0 })
      .where('id', '=', owner.userId)
      .execute()
  })
})
