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

  it('creates an account with a student profile when an admin adds a new student', async () => {
    const res = await admin.client.post('/api/members', {
      email: 'Nina.Petit@Example.org',
      name: 'Nina Petit',
      role: 'student',
      password: 'nina-password',
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      email: 'nina.petit@example.org',
      role: 'student',
      account_created: true,
    })
    const profile = await t.database.db
      .selectFrom('lms_student')
      .selectAll()
      .where('user_id', '=', res.body.user_id)
      .executeTakeFirstOrThrow()
    expect(profile).toMatchObject({
      org_id: orgId,
      name: 'Nina Petit',
      first_name: 'Nina',
      last_name: 'Petit',
    })
    expect(JSON.parse(profile.emails_json)).toEqual([{ email: 'nina.petit@example.org', type: 'WORK' }])
    expect((await signIn(t, 'nina.petit@example.org', 'nina-password')).cookies.size).toBeGreaterThan(0)
  })

  it('gives an instructor member an instructor profile', async () => {
    const res = await admin.client.post('/api/members', {
      email: 'prof.durand@example.org',
      name: 'Paul Durand',
      role: 'instructor',
      password: 'paul-password',
    })
    expect(res.status).toBe(201)
    const me = await (await signIn(t, 'prof.durand@example.org', 'paul-password')).get('/api/auth/me')
    expect(me.body.instructor_id).toEqual(expect.any(String))
    expect(me.body.student_id).toBeNull()
  })

  it('adds an existing account to another school without touching its password', async () => {
    const otherOrg = await createOrg(t)
    const existing = await createMember(t, otherOrg.id, 'student')
    const res = await admin.client.post('/api/members', {
      email: existing.email.toUpperCase(),
      name: 'Ignored Name',
      role: 'student',
      password: 'an-attempt-to-reset',
    })
    expect(res.status).toBe(201)
    expect(res.body.account_created).toBe(false)
    expect(res.body.user_id).toBe(existing.userId)
    expect(
      (await t.client().post('/api/auth/login', { email: existing.email, password: PASSWORD })).status,
    ).toBe(200)
    const users = await t.database.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', existing.email))
      .execute()
    expect(users).toHaveLength(1)
  })

  it('refuses a second account whose e-mail differs only by letter case', async () => {
    const member = await createMember(t, orgId, 'student')
    const insert = t.database.db
      .insertInto('users')
      .values({
        id: crypto.randomUUID(),
        name: 'Duplicate',
        email: member.email.toUpperCase(),
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      })
      .execute()
    await expect(insert).rejects.toThrow()
  })

  it('asks for a password, or an invitation, when the e-mail has no account yet', async () => {
    const res = await admin.client.post('/api/members', {
      email: 'new@example.org',
      name: 'New',
      role: 'student',
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('password_required')
  })

  it('refuses to add someone who is already a member', async () => {
    const member = await createMember(t, orgId, 'student')
    const res = await admin.client.post('/api/members', {
      email: member.email,
      name: 'Again',
      role: 'instructor',
      password: PASSWORD,
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
      password: PASSWORD,
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
      password: PASSWORD,
    })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('forbidden')
    const support = await signedInMember(t, orgId, 'support')
    expect((await support.client.get('/api/members')).status).toBe(200)
  })

  it('lets a member of several schools switch between them', async () => {
    const second = await createOrg(t)
    const member = await createMember(t, orgId, 'instructor')
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
