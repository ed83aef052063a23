import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../../test/helpers/app.ts'
import { testDialects } from '../../../../test/helpers/databases.ts'
import { createOrg, createStudent, signedInMember, signIn } from '../../../../test/helpers/factories.ts'

describe.each(testDialects())('teams on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  it('creates a team of students and changes its members', async () => {
    const [a, b] = [await createStudent(t, orgId), await createStudent(t, orgId)]
    const created = await admin.client.post('/api/teams', { name: 'Seconde B', student_ids: [a.studentId] })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ name: 'Seconde B', description: null, student_ids: [a.studentId] })
    const added = await admin.client.post(`/api/teams/${created.body.id}/members`, {
      student_id: b.studentId,
    })
    expect(added.body.student_ids).toEqual([a.studentId, b.studentId].sort())
    expect(
      (await admin.client.post(`/api/teams/${created.body.id}/members`, { student_id: b.studentId })).status,
    ).toBe(200)
    expect((await admin.client.delete(`/api/teams/${created.body.id}/members/${a.studentId}`)).status).toBe(
      204,
    )
    expect((await admin.client.delete(`/api/teams/${created.body.id}/members/${a.studentId}`)).status).toBe(
      404,
    )
    const renamed = await admin.client.patch(`/api/teams/${created.body.id}`, { name: 'Seconde B2' })
    expect(renamed.body).toMatchObject({ name: 'Seconde B2', student_ids: [b.studentId] })
    const list = await admin.client.get('/api/teams?query=b2')
    expect(list.body.map((team: { id: string }) => team.id)).toEqual([created.body.id])
  })

  it('enrols the students of a team in a course, and follows the team as it changes', async () => {
    const [a, b, direct] = [
      await createStudent(t, orgId),
      await createStudent(t, orgId),
      await createStudent(t, orgId),
    ]
    const team = (await admin.client.post('/api/teams', { name: 'Cohorte', student_ids: [a.studentId] })).body
    const course = (
      await admin.client.post('/api/lms/courses', {
        name: 'Team course',
        team_ids: [team.id],
        student_ids: [direct.studentId],
      })
    ).body
    expect(course.student_ids).toEqual([a.studentId, direct.studentId].sort())
    // Only the direct enrolments are what a `student_ids` update replaces.
    expect(course.direct_student_ids).toEqual([direct.studentId])
    expect(course.team_ids).toEqual([team.id])

    await admin.client.post(`/api/teams/${team.id}/members`, { student_id: b.studentId })
    const grown = (await admin.client.get(`/api/lms/courses/${course.id}`)).body
    expect(grown.student_ids).toEqual([a.studentId, b.studentId, direct.studentId].sort())

    expect((await admin.client.delete(`/api/teams/${team.id}`)).status).toBe(204)
    const after = (await admin.client.get(`/api/lms/courses/${course.id}`)).body
    expect(after).toMatchObject({ student_ids: [direct.studentId], team_ids: [] })
  })

  it('refuses students of another school and unknown teams', async () => {
    const stranger = await createStudent(t, (await createOrg(t)).id)
    const res = await admin.client.post('/api/teams', { name: 'Mixed', student_ids: [stranger.studentId] })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('student_not_found')
    const course = (await admin.client.post('/api/lms/courses', { name: 'C' })).body
    const unknown = await admin.client.patch(`/api/lms/courses/${course.id}`, { team_ids: ['no-such-team'] })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('team_not_found')
  })

  it('lets staff read teams and only admins change them', async () => {
    const instructor = await signedInMember(t, orgId, 'instructor')
    expect((await instructor.client.get('/api/teams')).status).toBe(200)
    expect((await instructor.client.post('/api/teams', { name: 'Mine' })).status).toBe(403)
    const student = await signedInMember(t, orgId, 'student')
    expect((await student.client.get('/api/teams')).status).toBe(403)
  })

  it('shows a student their own teams, and only theirs', async () => {
    const [mine, other] = [await createStudent(t, orgId), await createStudent(t, orgId)]
    const first = await admin.client.post('/api/teams', {
      name: 'Terminale A',
      student_ids: [mine.studentId],
    })
    const second = await admin.client.post('/api/teams', {
      name: 'Atelier astronomie',
      student_ids: [mine.studentId, other.studentId],
    })
    await admin.client.post('/api/teams', { name: 'Terminale B', student_ids: [other.studentId] })
    const res = await (await signIn(t, mine.email)).get('/api/me/teams')
    expect(res.status).toBe(200)
    expect(res.body).toEqual([
      { id: second.body.id, name: 'Atelier astronomie' },
      { id: first.body.id, name: 'Terminale A' },
    ])
    expect((await admin.client.get('/api/me/teams')).body).toEqual([])
  })
})
