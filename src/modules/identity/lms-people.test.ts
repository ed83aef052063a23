import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'

const student = {
  first_name: 'Inès',
  last_name: 'Lefèvre',
  emails: [{ email: 'ines.lefevre@example.org', type: 'HOME' }],
  telephones: [{ telephone: '+33 6 00 00 00 01', type: 'MOBILE' }],
  address: { address1: '1 rue de la Paix', city: 'Besançon', postal_code: '25000', country_code: 'FR' },
  image_url: 'https://example.org/ines.png',
  raw: { sis_id: 'A-42' },
}

describe.each(testDialects())('Unified.to LMS students and instructors on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  it('creates a student in the Unified.to shape and reads it back', async () => {
    const created = await admin.client.post('/api/lms/students', student)
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      id: expect.any(String),
      created_at: '2026-11-22T09:00:00.000Z',
      updated_at: '2026-11-22T09:00:00.000Z',
      user_id: null,
      name: 'Inès Lefèvre',
      title: null,
      ...student,
    })
    const read = await admin.client.get(`/api/lms/students/${created.body.id}`)
    expect(read.body).toEqual(created.body)
  })

  it('updates only the fields given, with PATCH or PUT', async () => {
    const { id } = (await admin.client.post('/api/lms/students', { name: 'Tom Girard' })).body
    t.clock.advance(60_000)
    const patched = await admin.client.patch(`/api/lms/students/${id}`, {
      telephones: [{ telephone: '0102030405' }],
    })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ name: 'Tom Girard', telephones: [{ telephone: '0102030405' }] })
    expect(patched.body.updated_at > patched.body.created_at).toBe(true)
    const put = await admin.client.put(`/api/lms/students/${id}`, { address: null, title: 'Délégué' })
    expect(put.body).toMatchObject({ name: 'Tom Girard', address: null, title: 'Délégué' })
  })

  it('lists with limit, offset, query and updated_gte', async () => {
    const org = await createOrg(t)
    const owner = await signedInMember(t, org.id, 'owner')
    for (const [i, name] of ['Anna Blanc', 'Bruno Noir', 'Carla Vert'].entries()) {
      t.clock.set(`2026-11-0${i + 1}T10:00:00.000Z`)
      await owner.client.post('/api/lms/instructors', {
        name,
        emails: [{ email: `${name.split(' ')[0]}@x.org` }],
      })
    }
    t.clock.set('2026-11-22T09:00:00.000Z')
    const page = await owner.client.get('/api/lms/instructors?limit=2&offset=0')
    expect(page.body.map((p: { name: string }) => p.name)).toEqual(['Carla Vert', 'Bruno Noir'])
    const next = await owner.client.get('/api/lms/instructors?limit=2&offset=2')
    expect(next.body.map((p: { name: string }) => p.name)).toEqual(['Anna Blanc'])
    const byText = await owner.client.get('/api/lms/instructors?query=bruno')
    expect(byText.body).toHaveLength(1)
    const byEmail = await owner.client.get('/api/lms/instructors?query=carla@x.org')
    expect(byEmail.body).toHaveLength(1)
    const recent = await owner.client.get(
      `/api/lms/instructors?updated_gte=${encodeURIComponent('2026-11-02T00:00:00Z')}`,
    )
    expect(recent.body.map((p: { name: string }) => p.name)).toEqual(['Carla Vert', 'Bruno Noir'])
    const bad = await owner.client.get('/api/lms/instructors?updated_gte=yesterday&limit=0')
    expect(bad.status).toBe(400)
  })

  it('deletes a profile, but not the profile of a current member', async () => {
    const { id } = (await admin.client.post('/api/lms/students', { name: 'Gone Soon' })).body
    expect((await admin.client.delete(`/api/lms/students/${id}`)).status).toBe(204)
    expect((await admin.client.get(`/api/lms/students/${id}`)).status).toBe(404)

    const member = await signedInMember(t, orgId, 'student')
    const profileId = (await member.client.get('/api/auth/me')).body.student_id
    const refused = await admin.client.delete(`/api/lms/students/${profileId}`)
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('linked_member')
    await admin.client.delete(`/api/members/${member.userId}`)
    expect((await admin.client.delete(`/api/lms/students/${profileId}`)).status).toBe(204)
  })

  it('lets staff read people, only admins change them, and students neither', async () => {
    const instructor = await signedInMember(t, orgId, 'instructor')
    const pupil = await signedInMember(t, orgId, 'student')
    expect((await instructor.client.get('/api/lms/students')).status).toBe(200)
    expect((await instructor.client.post('/api/lms/students', { name: 'No' })).status).toBe(403)
    expect((await pupil.client.get('/api/lms/students')).status).toBe(403)
    expect((await pupil.client.get('/api/lms/instructors')).status).toBe(403)
  })

  it('lists the students and instructors of a course, or of one of its steps', async () => {
    const org = await createOrg(t)
    const owner = await signedInMember(t, org.id, 'owner')
    const [ines, tom] = await Promise.all(
      ['Inès', 'Tom'].map(async (name) => (await owner.client.post('/api/lms/students', { name })).body.id),
    )
    const paul = (await owner.client.post('/api/lms/instructors', { name: 'Paul' })).body.id
    await owner.client.post('/api/lms/instructors', { name: 'Autre' })
    const team = (await owner.client.post('/api/teams', { name: 'Seconde A', student_ids: [tom] })).body.id
    const course = (
      await owner.client.post('/api/lms/courses', {
        name: 'Path',
        student_ids: [ines],
        team_ids: [team],
        instructor_ids: [paul],
      })
    ).body.id
    const step = (await owner.client.post('/api/lms/classes', { course_id: course, name: 'Read' })).body.id
    const ids = async (path: string) =>
      (await owner.client.get(path)).body.map((p: { id: string }) => p.id).sort()
    expect(await ids(`/api/lms/students?course_id=${course}`)).toEqual([ines, tom].sort())
    expect(await ids(`/api/lms/students?class_id=${step}`)).toEqual([ines, tom].sort())
    expect(await ids(`/api/lms/instructors?course_id=${course}`)).toEqual([paul])
    expect(await ids('/api/lms/students?course_id=no-such-course')).toEqual([])
    expect(await ids(`/api/lms/students?course_id=${course}&query=inès`)).toEqual([ines])
  })

  it('refuses a profile without any name and malformed contact details', async () => {
    const res = await admin.client.post('/api/lms/students', {
      emails: [{ email: 'nope' }],
      image_url: 'not a url',
    })
    expect(res.status).toBe(400)
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path)
    expect(paths).toEqual(expect.arrayContaining(['emails.0.email', 'image_url']))
  })
})
