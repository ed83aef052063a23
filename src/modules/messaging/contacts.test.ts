import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { completeSteps, createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import type { Role } from '../../core/http/roles.ts'
import { profilesOfUser } from '../identity/index.ts'

describe.each(testDialects())('messaging contacts and one conversation on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let owner: Member
  type Member = Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    owner = await signedInMember(t, orgId, 'owner')
  })
  afterAll(() => t.close())

  const member = (role: Role) => signedInMember(t, orgId, role)
  const ids = (body: { data: { member_id: string }[] }) => body.data.map((c) => c.member_id)

  async function courseOf(instructor: Member, student: Member) {
    const instructorId = (await profilesOfUser(t.identity, orgId, instructor.userId)).instructorId
    const studentId = (await profilesOfUser(t.identity, orgId, student.userId)).studentId
    const course = await owner.client.post('/api/lms/courses', {
      name: 'Les volcans',
      instructor_ids: [instructorId],
      student_ids: [studentId],
    })
    expect(course.status, JSON.stringify(course.body)).toBe(201)
    await owner.client.post('/api/lms/classes', { course_id: course.body.id, ...completeSteps.reading })
    expect((await owner.client.post(`/api/courses/${course.body.id}/publish`)).status).toBe(200)
    return course.body.id as string
  }

  it('offers a student the staff and their own teachers, never another instructor or, by default, students', async () => {
    const [teacher, otherTeacher, student, classmate] = [
      await member('instructor'),
      await member('instructor'),
      await member('student'),
      await member('student'),
    ]
    const courseId = await courseOf(teacher, student)
    const res = await student.client.get('/api/messaging/contacts?limit=50')
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(ids(res.body)).toContain(owner.userId)
    expect(ids(res.body)).toContain(teacher.userId)
    expect(ids(res.body)).not.toContain(otherTeacher.userId)
    expect(ids(res.body)).not.toContain(classmate.userId)
    expect(ids(res.body)).not.toContain(student.userId)

    // Every contact offered is one the API lets the student write to.
    for (const id of ids(res.body)) {
      const started = await student.client.post('/api/conversations', { member_id: id })
      expect([200, 201]).toContain(started.status)
    }

    const ofCourse = await student.client.get(`/api/messaging/contacts?course_id=${courseId}`)
    expect(ofCourse.body.data).toEqual([
      { member_id: teacher.userId, name: 'Test instructor', role: 'instructor' },
    ])
    const notMine = await classmate.client.get(`/api/messaging/contacts?course_id=${courseId}`)
    expect(notMine.body.data).toEqual([])
    expect((await student.client.get('/api/messaging/contacts?course_id=nope')).status).toBe(404)
  })

  it('offers staff any member, searched by name or e-mail', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const res = await teacher.client.get(`/api/messaging/contacts?query=${encodeURIComponent(student.email)}`)
    expect(res.status).toBe(200)
    expect(ids(res.body)).toEqual([student.userId])
    expect((await teacher.client.get('/api/messaging/contacts?limit=0')).status).toBe(400)
  })
  it('shows one conversation to its members, as the list does, and 404 to anyone else', async () => {
    const [teacher, student, outsider] = [
      await member('instructor'),
      await member('student'),
      await member('admin'),
    ]
    const started = await teacher.client.post('/api/conversations', { member_id: student.userId })
    expect(started.status).toBe(201)
    const one = await student.client.get(`/api/conversations/${started.body.id}`)
    expect(one.status).toBe(200)
    const list = await student.client.get('/api/conversations')
    expect(one.body).toEqual(list.body.data.find((c: { id: string }) => c.id === started.body.id))
    expect((await outsider.client.get(`/api/conversations/${started.body.id}`)).status).toBe(404)
  })
})
