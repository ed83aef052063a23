import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../../test/helpers/app.ts'
import { testDialects } from '../../../../test/helpers/databases.ts'
import {
  completeSteps,
  createOrg,
  createStudent,
  signedInMember,
} from '../../../../test/helpers/factories.ts'
import { profilesOfUser } from '../../identity/index.ts'

describe.each(testDialects())('courses on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: Awaited<ReturnType<typeof signedInMember>>
  let instructor: Awaited<ReturnType<typeof signedInMember>>
  let instructorId: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
    instructor = await signedInMember(t, orgId, 'instructor')
    instructorId = (await profilesOfUser(t.identity, orgId, instructor.userId)).instructorId as string
  })
  afterAll(() => t.close())

  async function courseWithSteps(...steps: (typeof completeSteps)[keyof typeof completeSteps][]) {
    const course = (await instructor.client.post('/api/lms/courses', { name: 'Path' })).body
    for (const step of steps) {
      const res = await instructor.client.post('/api/lms/classes', { course_id: course.id, ...step })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
    }
    return course as { id: string }
  }

  it('creates a learning path as a draft with its students, and assigns the instructor who wrote it', async () => {
    const [lea, hugo] = [await createStudent(t, orgId), await createStudent(t, orgId)]
    const res = await instructor.client.post('/api/lms/courses', {
      name: 'Découvrir le système solaire',
      description: 'Quatre étapes',
      categories: ['Sciences'],
      objectives: ['Nommer les planètes'],
      skills: ['astronomie'],
      student_ids: [lea.studentId, hugo.studentId],
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      id: expect.any(String),
      status: 'draft',
      name: 'Découvrir le système solaire',
      student_ids: [lea.studentId, hugo.studentId].sort(),
      instructor_ids: [instructorId],
      max_playback_rate: 2,
      video_completion_threshold: 0.9,
      quiz_pass_threshold: 0.8,
      is_active: true,
      is_private: false,
      step_count: 0,
      published_at: null,
    })
    expect(res.body.students).toEqual(expect.arrayContaining([{ id: lea.studentId, name: 'Test student' }]))
  })

  it('refuses a student from another school and writes nothing', async () => {
    const other = await createOrg(t)
    const stranger = await createStudent(t, other.id)
    const before = (await admin.client.get('/api/lms/courses?limit=500')).body.length
    const res = await admin.client.post('/api/lms/courses', {
      name: 'Nope',
      student_ids: [stranger.studentId],
    })
    expect(res.status).toBe(404)
    expect(res.body.error).toMatchObject({
      code: 'student_not_found',
      details: { missing: [stranger.studentId] },
    })
    expect((await admin.client.get('/api/lms/courses?limit=500')).body.length).toBe(before)
  })

  it('keeps students out of the catalog', async () => {
    const student = await signedInMember(t, orgId, 'student')
    expect((await student.client.get('/api/lms/courses')).status).toBe(403)
    expect((await student.client.post('/api/lms/courses', { name: 'Mine' })).status).toBe(403)
    expect((await student.client.get('/api/lms/classes')).status).toBe(403)
  })

  it('lets only assigned instructors and admins change a course', async () => {
    const course = (await admin.client.post('/api/lms/courses', { name: 'Admin course' })).body
    const res = await instructor.client.patch(`/api/lms/courses/${course.id}`, { name: 'Taken over' })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('not_assigned')
    expect((await instructor.client.get(`/api/lms/courses/${course.id}`)).status).toBe(200)
    const assigned = await admin.client.patch(`/api/lms/courses/${course.id}`, {
      instructor_ids: [instructorId],
    })
    expect(assigned.body.instructor_ids).toEqual([instructorId])
    expect(
      (await instructor.client.patch(`/api/lms/courses/${course.id}`, { name: 'Now mine' })).status,
    ).toBe(200)
  })

  it('publishes only a course with at least one step, every step complete', async () => {
    const empty = (await instructor.client.post('/api/lms/courses', { name: 'Empty' })).body
    const refused = await instructor.client.post(`/api/courses/${empty.id}/publish`)
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatchObject({
      code: 'not_publishable',
      details: {
        problems: [{ class_id: null, code: 'no_steps', message: 'A course needs at least one step' }],
      },
    })

    const course = await courseWithSteps(completeSteps.video)
    const incomplete = await instructor.client.post('/api/lms/classes', {
      course_id: course.id,
      name: 'Quiz to write',
      step_type: 'quiz',
    })
    const stillRefused = await instructor.client.post(`/api/courses/${course.id}/publish`)
    expect(stillRefused.body.error.details.problems).toEqual([
      { class_id: incomplete.body.id, code: 'quiz_missing', message: 'Step "Quiz to write" needs a quiz' },
    ])
    await instructor.client.patch(`/api/lms/classes/${incomplete.body.id}`, { quiz: completeSteps.quiz.quiz })
    const published = await instructor.client.post(`/api/courses/${course.id}/publish`)
    expect(published.status).toBe(200)
    expect(published.body).toMatchObject({
      status: 'published',
      published_at: '2026-11-22T09:00:00.000Z',
      step_count: 2,
    })
  })

  it('deletes drafts, not published courses, and freezes archived ones', async () => {
    const draft = await courseWithSteps(completeSteps.quiz)
    expect((await instructor.client.delete(`/api/lms/courses/${draft.id}`)).status).toBe(204)
    expect((await instructor.client.get(`/api/lms/courses/${draft.id}`)).status).toBe(404)
    const quizzes = await t.database.db
      .selectFrom('quizzes')
      .select('id')
      .where('org_id', '=', orgId)
      .execute()
    const classes = await t.database.db
      .selectFrom('lms_class')
      .select('quiz_id')
      .where('org_id', '=', orgId)
      .execute()
    expect(quizzes.length).toBe(classes.filter((c) => c.quiz_id).length)

    const live = await courseWithSteps(completeSteps.reading)
    await instructor.client.post(`/api/courses/${live.id}/publish`)
    const refused = await instructor.client.delete(`/api/lms/courses/${live.id}`)
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('course_published')
    expect((await instructor.client.post(`/api/courses/${live.id}/archive`)).body.status).toBe('archived')
    const frozen = await instructor.client.patch(`/api/lms/courses/${live.id}`, { name: 'Too late' })
    expect(frozen.status).toBe(409)
    expect(frozen.body.error.code).toBe('course_archived')
    expect((await instructor.client.delete(`/api/lms/courses/${live.id}`)).status).toBe(204)
  })

  it('lists courses with status, text and date filters and pagination', async () => {
    const org = await createOrg(t)
    const owner = await signedInMember(t, org.id, 'owner')
    for (const [i, name] of ['Algèbre', 'Biologie', 'Chimie'].entries()) {
      t.clock.set(`2026-11-0${i + 1}T10:00:00.000Z`)
      await owner.client.post('/api/lms/courses', { name })
    }
    t.clock.set('2026-11-22T09:00:00.000Z')
    const names = (res: { body: { name: string }[] }) => res.body.map((c) => c.name)
    expect(names(await owner.client.get('/api/lms/courses?limit=2'))).toEqual(['Chimie', 'Biologie'])
    expect(names(await owner.client.get('/api/lms/courses?limit=2&offset=2'))).toEqual(['Algèbre'])
    expect(names(await owner.client.get('/api/lms/courses?query=bio'))).toEqual(['Biologie'])
    expect(names(await owner.client.get('/api/lms/courses?updated_gte=2026-11-02T00:00:00Z'))).toEqual([
      'Chimie',
      'Biologie',
    ])
    expect(names(await owner.client.get('/api/lms/courses?status=published'))).toEqual([])
    expect((await owner.client.get('/api/lms/courses?status=live')).status).toBe(400)
  })

  it('validates thresholds and names', async () => {
    const res = await admin.client.post('/api/lms/courses', {
      name: '',
      max_playback_rate: 8,
      quiz_pass_threshold: 1.5,
    })
    expect(res.status).toBe(400)
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path)
    expect(paths).toEqual(expect.arrayContaining(['name', 'max_playback_rate', 'quiz_pass_threshold']))
  })
})

describe.each(testDialects())("the school's plan on %s", (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      deps: { planLimits: async () => ({ max_courses: 2, max_students: 2 }) },
    })
    orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  it('refuses a course beyond the plan and keeps nothing of it', async () => {
    expect((await admin.client.post('/api/lms/courses', { name: 'One' })).status).toBe(201)
    expect((await admin.client.post('/api/lms/courses', { name: 'Two' })).status).toBe(201)
    const third = await admin.client.post('/api/lms/courses', { name: 'Three' })
    expect(third.status).toBe(409)
    expect(third.body.error).toMatchObject({
      code: 'plan_limit_reached',
      details: { limit: 'max_courses', max: 2 },
    })
    expect((await admin.client.get('/api/lms/courses')).body).toHaveLength(2)
  })

  it('refuses to enrol more students than the plan allows, directly or through a team', async () => {
    const [a, b, c] = [
      await createStudent(t, orgId),
      await createStudent(t, orgId),
      await createStudent(t, orgId),
    ]
    const [course] = (await admin.client.get('/api/lms/courses')).body
    const two = await admin.client.patch(`/api/lms/courses/${course.id}`, {
      student_ids: [a.studentId, b.studentId],
    })
    expect(two.status).toBe(200)
    const three = await admin.client.patch(`/api/lms/courses/${course.id}`, {
      student_ids: [a.studentId, b.studentId, c.studentId],
    })
    expect(three.status).toBe(409)
    expect(three.body.error.details).toEqual({ limit: 'max_students', max: 2 })
    expect((await admin.client.get(`/api/lms/courses/${course.id}`)).body.student_ids).toHaveLength(2)

    const team = (await admin.client.post('/api/teams', { name: 'Late comers', student_ids: [c.studentId] }))
      .body
    const viaTeam = await admin.client.patch(`/api/lms/courses/${course.id}`, { team_ids: [team.id] })
    expect(viaTeam.status).toBe(409)
  })
})
