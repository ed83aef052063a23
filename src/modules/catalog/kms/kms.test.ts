import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../../test/helpers/app.ts'
import { testDialects } from '../../../../test/helpers/databases.ts'
import { completeSteps, createOrg, signedInMember } from '../../../../test/helpers/factories.ts'
import { profilesOfUser } from '../../identity/index.ts'

const pdf = (size = 2048) => new Uint8Array(size).fill(0x25)

function upload(file: Blob, name: string, fields: Record<string, string> = {}) {
  const form = new FormData()
  form.set('file', file, name)
  for (const [key, value] of Object.entries(fields)) form.set(key, value)
  return form
}

describe.each(testDialects())('the course handout (KMS) on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let author: Awaited<ReturnType<typeof signedInMember>>
  let student: Awaited<ReturnType<typeof signedInMember>>
  let courseId: string
  const completed = new Set<string>()

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      env: { UPLOAD_MAX_BYTES: '65536' },
      deps: {
        progress: {
          reachedStepCount: async () => 0,
          hasCompletedCourse: async (_org, course, studentId) => completed.has(`${course}:${studentId}`),
        },
      },
    })
    orgId = (await createOrg(t)).id
    author = await signedInMember(t, orgId, 'instructor')
    student = await signedInMember(t, orgId, 'student')
    const { studentId } = await profilesOfUser(t.identity, orgId, student.userId)
    const course = await author.client.post('/api/lms/courses', {
      name: 'Handout course',
      student_ids: [studentId],
    })
    courseId = course.body.id
    await author.client.post('/api/lms/classes', { course_id: courseId, ...completeSteps.reading })
  })
  afterAll(() => t.close())

  it('keeps documents, links and uploaded files, and serves the files back', async () => {
    const doc = await author.client.post(`/api/courses/${courseId}/kms`, {
      type: 'document',
      title: 'Fiche résumé',
      body: '# Les planètes\n\nMercure, Vénus…',
    })
    expect(doc.status).toBe(201)
    expect(doc.body).toMatchObject({
      type: 'document',
      title: 'Fiche résumé',
      available_in_advance: false,
      order_index: 0,
    })
    const link = await author.client.post(`/api/courses/${courseId}/kms`, {
      type: 'link',
      title: 'NASA',
      url: 'https://science.nasa.gov/solar-system/',
      available_in_advance: true,
    })
    expect(link.body.order_index).toBe(1)
    const file = await author.client.post(
      `/api/courses/${courseId}/kms`,
      upload(new Blob([pdf()], { type: 'application/pdf' }), 'carte du ciel.pdf', {
        available_in_advance: 'true',
      }),
    )
    expect(file.status).toBe(201)
    expect(file.body).toMatchObject({
      type: 'file',
      title: 'carte du ciel.pdf',
      file: { name: 'carte du ciel.pdf', type: 'application/pdf', size: 2048 },
    })
    const download = await fetch(new URL(file.body.file.download_url, t.url), {
      headers: { cookie: [...author.client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    })
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('application/pdf')
    expect(download.headers.get('content-disposition')).toContain("filename*=UTF-8''carte%20du%20ciel.pdf")
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(pdf())
  })

  it('shows an enrolled student only the advance resources until the course is completed', async () => {
    await author.client.post(`/api/courses/${courseId}/publish`)
    const before = await student.client.get(`/api/courses/${courseId}/kms`)
    expect(before.status).toBe(200)
    expect(before.body.data.map((r: { title: string }) => r.title)).toEqual(['NASA', 'carte du ciel.pdf'])
    expect(before.body.locked).toBe(1)
    const staff = await author.client.get(`/api/courses/${courseId}/kms`)
    expect(staff.body).toMatchObject({ locked: 0 })
    expect(staff.body.data).toHaveLength(3)

    const { studentId } = await profilesOfUser(t.identity, orgId, student.userId)
    completed.add(`${courseId}:${studentId}`)
    const after = await student.client.get(`/api/courses/${courseId}/kms`)
    expect(after.body).toMatchObject({ locked: 0 })
    expect(after.body.data.map((r: { title: string }) => r.title)).toContain('Fiche résumé')
    completed.clear()
  })

  it('hides the handout of courses a student is not enrolled in', async () => {
    const other = (await author.client.post('/api/lms/courses', { name: 'Other' })).body
    expect((await student.client.get(`/api/courses/${other.id}/kms`)).status).toBe(404)
  })

  it('refuses files of unknown type, empty files and files over the limit, keeping nothing', async () => {
    const exe = await author.client.post(
      `/api/courses/${courseId}/kms`,
      upload(new Blob([pdf()], { type: 'application/x-msdownload' }), 'virus.exe'),
    )
    expect(exe.status).toBe(415)
    expect(exe.body.error.code).toBe('unsupported_file_type')
    const disguised = await author.client.post(
      `/api/courses/${courseId}/kms`,
      upload(new Blob([pdf()], { type: 'application/pdf' }), 'virus.exe'),
    )
    expect(disguised.status).toBe(415)
    const empty = await author.client.post(
      `/api/courses/${courseId}/kms`,
      upload(new Blob([], { type: 'application/pdf' }), 'empty.pdf'),
    )
    expect(empty.status).toBe(400)
    const huge = await author.client.post(
      `/api/courses/${courseId}/kms`,
      upload(new Blob([pdf(200_000)], { type: 'application/pdf' }), 'huge.pdf'),
    )
    expect(huge.status).toBe(413)
    const missing = await author.client.post(
      `/api/courses/${courseId}/kms`,
      upload(new Blob(['x']), 'x.txt'),
      {},
    )
    expect(missing.status).toBe(415)
    expect((await author.client.get(`/api/courses/${courseId}/kms`)).body.data).toHaveLength(3)
  })

  it('changes and removes resources, deleting the stored file', async () => {
    const list = (await author.client.get(`/api/courses/${courseId}/kms`)).body.data
    const file = list.find((r: { type: string }) => r.type === 'file')
    const doc = list.find((r: { type: string }) => r.type === 'document')
    const renamed = await author.client.patch(`/api/courses/${courseId}/kms/${doc.id}`, {
      title: 'Résumé',
      available_in_advance: true,
    })
    expect(renamed.body).toMatchObject({ title: 'Résumé', available_in_advance: true })
    expect((await author.client.patch(`/api/courses/${courseId}/kms/${file.id}`, { body: 'x' })).status).toBe(
      400,
    )
    expect((await author.client.delete(`/api/courses/${courseId}/kms/${file.id}`)).status).toBe(204)
    const gone = await author.client.get(`/api/courses/${courseId}/kms/${file.id}/file`)
    expect(gone.status).toBe(404)
    const key = `${orgId}/${file.id}`
    expect(await t.catalog.files.get(key)).toBeNull()
  })

  it('keeps students from changing the handout', async () => {
    const res = await student.client.post(`/api/courses/${courseId}/kms`, {
      type: 'link',
      title: 'x',
      url: 'https://x.org',
    })
    expect(res.status).toBe(403)
  })
})
