import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../test/helpers/app.ts'
import { testDialects } from '../test/helpers/databases.ts'
import { signIn } from '../test/helpers/factories.ts'
import { DEMO_COURSE_FILE, DEMO_PASSWORD, seedDemo } from './demo.ts'
import { CourseDocumentSchema } from './modules/catalog/index.ts'

describe.each(testDialects())('the demo school on %s', (dialect) => {
  let t: TestApp

  beforeAll(async () => {
    t = await startTestApp(dialect)
  })
  afterAll(() => t.close())

  it('is created once, with a published course of every step type taken by a team of two students', async () => {
    expect(await seedDemo(t)).toEqual({ created: true })
    expect(await seedDemo(t)).toEqual({ created: false })

    const teacher = await signIn(t, 'prof@demo.sillon.test', DEMO_PASSWORD)
    const [course] = (await teacher.get('/api/lms/courses')).body
    expect(course).toMatchObject({ name: 'Découvrir le système solaire', status: 'published', step_count: 4 })
    expect(course.students.map((s: { name: string }) => s.name).sort()).toEqual([
      'Hugo Bernard',
      'Léa Martin',
    ])
    expect(course.instructors.map((i: { name: string }) => i.name)).toEqual(['Julien Moreau'])
    expect(course.team_ids).toHaveLength(1)

    const steps = (await teacher.get(`/api/lms/classes?course_id=${course.id}`)).body
    expect(steps.map((s: { step_type: string }) => s.step_type)).toEqual([
      'video',
      'quiz',
      'video_quiz',
      'reading',
    ])
    const kms = (await teacher.get(`/api/courses/${course.id}/kms`)).body
    expect(kms.data).toHaveLength(3)

    const lea = await signIn(t, 'lea@demo.sillon.test', DEMO_PASSWORD)
    const leaKms = (await lea.get(`/api/courses/${course.id}/kms`)).body
    expect(leaKms).toMatchObject({ locked: 2 })
    expect(leaKms.data.map((r: { title: string }) => r.title)).toEqual(['Glossaire'])
  })

  it('ships its course as an importable document whose video is in the repository', async () => {
    const document = CourseDocumentSchema.parse(JSON.parse(await readFile(DEMO_COURSE_FILE, 'utf8')))
    const urls = document.steps.flatMap((s) => (s.video?.source === 'url' ? [s.video.url] : []))
    expect(urls.length).toBeGreaterThan(0)
    for (const url of urls) {
      const file = new URL(`../demo/media/${url.replace('/media/demo/', '')}`, import.meta.url)
      expect((await readFile(file)).subarray(4, 8).toString()).toBe('ftyp')
    }
  })
})
