import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../../test/helpers/app.ts'
import { testDialects } from '../../../../test/helpers/databases.ts'
import { completeSteps, createOrg, signedInMember } from '../../../../test/helpers/factories.ts'

describe.each(testDialects())('course export and import on %s', (dialect) => {
  let t: TestApp
  let source: Awaited<ReturnType<typeof signedInMember>>
  let target: Awaited<ReturnType<typeof signedInMember>>
  let courseId: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    source = await signedInMember(t, (await createOrg(t)).id, 'instructor')
    target = await signedInMember(t, (await createOrg(t)).id, 'instructor')
    courseId = (
      await source.client.post('/api/lms/courses', {
        name: 'Portable course',
        objectives: ['Travel well'],
        quiz_pass_threshold: 0.7,
      })
    ).body.id
    for (const step of Object.values(completeSteps)) {
      await source.client.post('/api/lms/classes', { course_id: courseId, ...step })
    }
    await source.client.post(`/api/courses/${courseId}/kms`, {
      type: 'document',
      title: 'Notes',
      body: '# Notes',
    })
    await source.client.post(`/api/courses/${courseId}/kms`, {
      type: 'link',
      title: 'More',
      url: 'https://example.org/more',
      available_in_advance: true,
    })
  })
  afterAll(() => t.close())

  it('exports a course as one document with its steps, answer keys and handout, without secrets', async () => {
    const res = await source.client.get(`/api/lms/courses/${courseId}/export`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      format: 'sillon.course',
      version: 1,
      course: { name: 'Portable course', objectives: ['Travel well'], quiz_pass_threshold: 0.7 },
      kms: [
        { type: 'document', title: 'Notes', body: '# Notes', available_in_advance: false },
        { type: 'link', title: 'More', url: 'https://example.org/more', available_in_advance: true },
      ],
    })
    expect(res.body.steps.map((s: { step_type: string }) => s.step_type)).toEqual([
      'video',
      'quiz',
      'video_quiz',
      'reading',
    ])
    expect(res.body.steps[1].quiz.questions[0].answer).toBe('a')
    expect(JSON.stringify(res.body)).not.toContain('tally-signing-secret')
  })

  it('imports the document into another school as a draft that matches the original', async () => {
    const exported = (await source.client.get(`/api/lms/courses/${courseId}/export`)).body
    const imported = await target.client.post('/api/lms/courses/import', exported)
    expect(imported.status).toBe(201)
    expect(imported.body).toMatchObject({ name: 'Portable course', status: 'draft', step_count: 4 })
    expect(imported.body.instructor_ids).toHaveLength(1)
    const again = (await target.client.get(`/api/lms/courses/${imported.body.id}/export`)).body
    expect({ ...again, exported_at: undefined }).toEqual({ ...exported, exported_at: undefined })
    // The Tally signing secret stays behind: the new school sets its own before publishing.
    const publish = await target.client.post(`/api/courses/${imported.body.id}/publish`)
    expect(publish.status).toBe(409)
    expect(publish.body.error.details.problems).toEqual([
      expect.objectContaining({ message: expect.stringContaining("needs the Tally form's signing secret") }),
    ])
  })

  it('refuses a document that is not a Sillon course, and creates nothing', async () => {
    const before = (await target.client.get('/api/lms/courses')).body.length
    const res = await target.client.post('/api/lms/courses/import', {
      format: 'scorm',
      course: {},
      steps: [],
    })
    expect(res.status).toBe(400)
    const badStep = await target.client.post('/api/lms/courses/import', {
      format: 'sillon.course',
      version: 1,
      course: { name: 'Broken' },
      steps: [{ name: 'Bad', step_type: 'hologram' }],
    })
    expect(badStep.status).toBe(400)
    expect((await target.client.get('/api/lms/courses')).body.length).toBe(before)
  })
})
