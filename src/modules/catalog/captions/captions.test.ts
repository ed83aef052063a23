import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../../test/helpers/app.ts'
import { testDialects } from '../../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../../test/helpers/factories.ts'
import { profilesOfUser } from '../../identity/index.ts'

// Caption tracks of a step's video: WebVTT files its teachers upload, served as text/vtt to its students.

const VTT = 'WEBVTT\n\n00:00.000 --> 00:04.000\nLe Soleil est une étoile.\n'

function upload(
  text: string,
  name: string,
  fields: Record<string, string> = { language: 'fr', label: 'Français' },
) {
  const form = new FormData()
  form.set('file', new Blob([text], { type: 'text/vtt' }), name)
  for (const [key, value] of Object.entries(fields)) form.set(key, value)
  return form
}

describe.each(testDialects())('caption tracks on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let author: Awaited<ReturnType<typeof signedInMember>>
  let student: Awaited<ReturnType<typeof signedInMember>>
  let outsider: Awaited<ReturnType<typeof signedInMember>>
  let courseId: string
  let classId: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    author = await signedInMember(t, orgId, 'instructor')
    student = await signedInMember(t, orgId, 'student')
    outsider = await signedInMember(t, orgId, 'student')
    const { studentId } = await profilesOfUser(t.identity, orgId, student.userId)
    courseId = (await author.client.post('/api/lms/courses', { name: 'Captions', student_ids: [studentId] }))
      .body.id
    const step = await author.client.post('/api/lms/classes', {
      course_id: courseId,
      name: 'Video',
      step_type: 'video',
      video: { source: 'url', url: '/media/demo/systeme-solaire.mp4', duration_sec: 30 },
    })
    classId = step.body.id
    expect((await author.client.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
  })
  afterAll(() => t.close())

  it('stores a WebVTT track, lists it for the player and serves it as text/vtt to enrolled students only', async () => {
    const created = await author.client.post(
      `/api/lms/classes/${classId}/captions`,
      upload(`\uFEFF${VTT}`, 'fr.vtt'),
    )
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body).toMatchObject({
      language: 'fr',
      label: 'Français',
      url: `/api/lms/classes/${classId}/captions/${created.body.id}/file`,
    })
    const view = (await student.client.get(`/api/me/courses/${courseId}`)).body
    expect(view.steps[0].content.captions).toEqual([
      { language: 'fr', label: 'Français', url: created.body.url },
    ])
    const file = await student.client.get(created.body.url)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('text/vtt; charset=utf-8')
    expect(file.body).toContain('Le Soleil est une étoile.')
    expect((await outsider.client.get(created.body.url)).status).toBe(404)
    expect(
      (await student.client.post(`/api/lms/classes/${classId}/captions`, upload(VTT, 'x.vtt'))).status,
    ).toBe(403)
  })

  it('refuses a file that is not WebVTT, a bad language tag and a step without video', async () => {
    const srt = await author.client.post(
      `/api/lms/classes/${classId}/captions`,
      upload('1\n00:00:00,000 --> 00:00:04,000\nHello\n', 'en.srt'),
    )
    expect(srt.status).toBe(415)
    expect(srt.body.error.code).toBe('unsupported_file_type')
    const language = await author.client.post(
      `/api/lms/classes/${classId}/captions`,
      upload(VTT, 'fr.vtt', { language: 'français!', label: 'Français' }),
    )
    expect(language.status).toBe(400)
    const json = await author.client.post(`/api/lms/classes/${classId}/captions`, { language: 'fr' })
    expect(json.status).toBe(415)
    const noFile = await author.client.request('POST', `/api/lms/classes/${classId}/captions`)
    expect(noFile.status).toBe(400)
    expect(noFile.body.error.code).toBe('body_required')
    const draft = (await author.client.post('/api/lms/courses', { name: 'Reading only' })).body.id
    const reading = await author.client.post('/api/lms/classes', {
      course_id: draft,
      name: 'Text',
      step_type: 'reading',
      content_md: 'Bonjour',
    })
    const noVideo = await author.client.post(
      `/api/lms/classes/${reading.body.id}/captions`,
      upload(VTT, 'fr.vtt'),
    )
    expect(noVideo.status).toBe(409)
    expect(noVideo.body.error.code).toBe('no_video')
  })

  it('removes a track and its file', async () => {
    const created = await author.client.post(
      `/api/lms/classes/${classId}/captions`,
      upload(VTT, 'en.vtt', { language: 'en', label: 'English' }),
    )
    expect(created.status).toBe(201)
    expect(
      (await author.client.delete(`/api/lms/classes/${classId}/captions/${created.body.id}`)).status,
    ).toBe(204)
    expect((await student.client.get(created.body.url)).status).toBe(404)
    const listed = await author.client.get(`/api/lms/classes/${classId}/captions`)
    expect(listed.body.map((c: { language: string }) => c.language)).toEqual(['fr'])
  })
})
