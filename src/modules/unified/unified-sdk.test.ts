import { UnifiedTo } from '@unified-api/typescript-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'

// Unified.to's own TypeScript SDK, unchanged, against Sillon: its serverURL and its key are all it is given.

/** The HTTP status of an SDK call that failed (the SDK throws for 4xx and 5xx). */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call
    return 200
  } catch (err) {
    return (err as { statusCode?: number }).statusCode ?? -1
  }
}

describe.each(testDialects())("Unified.to's SDK on %s", (dialect) => {
  let t: TestApp
  let slug: string
  let token: string
  let sdk: UnifiedTo
  let owner: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    const org = await createOrg(t)
    slug = org.slug
    owner = await signedInMember(t, org.id, 'owner')
    token = (await owner.client.post('/api/tokens', { name: 'Unified' })).body.token
    sdk = new UnifiedTo({ serverURL: `${t.url}/api/unified`, security: { jwt: token } })
  })
  afterAll(() => t.close())

  it('creates, reads, lists, updates and removes a student', async () => {
    const created = await sdk.lms.createLmsStudent({
      connectionId: slug,
      lmsStudent: {
        firstName: 'Inès',
        lastName: 'Lefèvre',
        emails: [{}],
        telephones: [{ telephone: '+33 6 00 00 00 01', type: 'MOBILE' }],
        address: { city: 'Besançon', postalCode: '25000', countryCode: 'FR' },
        raw: { sis_id: 'A-42' },
      },
    })
    expect(created).toEqual({
      id: expect.any(String),
      createdAt: new Date('2026-11-22T09:00:00.000Z'),
      updatedAt: new Date('2026-11-22T09:00:00.000Z'),
      name: 'Inès Lefèvre',
      firstName: 'Inès',
      lastName: 'Lefèvre',
      emails: [],
      telephones: [{ telephone: '+33 6 00 00 00 01', type: 'MOBILE' }],
      address: { city: 'Besançon', postalCode: '25000', countryCode: 'FR' },
      raw: { sis_id: 'A-42' },
    })
    const id = created.id as string
    expect(await sdk.lms.getLmsStudent({ connectionId: slug, id })).toEqual(created)

    const listed = await sdk.lms.listLmsStudents({ connectionId: slug, limit: 10, query: 'lefèvre' })
    expect(listed.map((s) => s.id)).toEqual([id])

    const put = await sdk.lms.updateLmsStudent({
      connectionId: slug,
      id,
      lmsStudent: { imageUrl: 'https://example.org/ines.png' },
    })
    expect(put).toMatchObject({ name: 'Inès Lefèvre', imageUrl: 'https://example.org/ines.png' })
    const patched = await sdk.lms.patchLmsStudent({ connectionId: slug, id, lmsStudent: { telephones: [] } })
    expect(patched.telephones).toEqual([])
    expect(patched.imageUrl).toBe('https://example.org/ines.png')

    await sdk.lms.removeLmsStudent({ connectionId: slug, id })
    expect(await statusOf(sdk.lms.getLmsStudent({ connectionId: slug, id }))).toBe(404)
  })

  it('creates, reads, lists, updates and removes an instructor', async () => {
    const created = await sdk.lms.createLmsInstructor({
      connectionId: slug,
      lmsInstructor: { name: 'Paul Morel', title: 'Professeur de physique' },
    })
    expect(created).toMatchObject({ name: 'Paul Morel', title: 'Professeur de physique', emails: [] })
    expect(created).not.toHaveProperty('imageUrl')
    const id = created.id as string
    expect(await sdk.lms.getLmsInstructor({ connectionId: slug, id })).toEqual(created)
    expect((await sdk.lms.listLmsInstructors({ connectionId: slug })).map((i) => i.id)).toContain(id)
    const put = await sdk.lms.updateLmsInstructor({
      connectionId: slug,
      id,
      lmsInstructor: { title: 'Directeur' },
    })
    expect(put.title).toBe('Directeur')
    const patched = await sdk.lms.patchLmsInstructor({
      connectionId: slug,
      id,
      lmsInstructor: { lastName: 'Morel' },
    })
    expect(patched).toMatchObject({ name: 'Paul Morel', lastName: 'Morel', title: 'Directeur' })
    await sdk.lms.removeLmsInstructor({ connectionId: slug, id })
    expect(await statusOf(sdk.lms.getLmsInstructor({ connectionId: slug, id }))).toBe(404)
  })

  it('creates a course with its students and instructors, adds classes, and filters people by course and class', async () => {
    const student = (name: string) => sdk.lms.createLmsStudent({ connectionId: slug, lmsStudent: { name } })
    const ines = await student('Inès Lefèvre')
    const tom = await student('Tom Girard')
    const other = await student('Zoé Hors-cours')
    const paul = await sdk.lms.createLmsInstructor({
      connectionId: slug,
      lmsInstructor: { name: 'Paul Morel' },
    })
    await sdk.lms.createLmsInstructor({ connectionId: slug, lmsInstructor: { name: 'Autre Prof' } })

    const course = await sdk.lms.createLmsCourse({
      connectionId: slug,
      lmsCourse: {
        name: 'Découvrir le système solaire',
        description: 'Quatre étapes sur les planètes.',
        languages: ['fr'],
        media: [{ type: 'IMAGE', url: 'https://example.org/soleil.png' }],
        students: [{ id: ines.id }],
        instructors: [{ id: paul.id }],
      },
    })
    expect(course).toMatchObject({
      name: 'Découvrir le système solaire',
      description: 'Quatre étapes sur les planètes.',
      isActive: true,
      media: [{ type: 'IMAGE', url: 'https://example.org/soleil.png' }],
      students: [{ id: ines.id, name: 'Inès Lefèvre' }],
      instructors: [{ id: paul.id, name: 'Paul Morel' }],
    })
    expect(course).not.toHaveProperty('publishedAt')
    expect(course).not.toHaveProperty('priceAmount')
    const courseId = course.id as string
    expect(await sdk.lms.getLmsCourse({ connectionId: slug, id: courseId })).toEqual(course)
    expect((await sdk.lms.listLmsCourses({ connectionId: slug })).map((c) => c.id)).toEqual([courseId])

    const video = await sdk.lms.createLmsClass({
      connectionId: slug,
      lmsClass: {
        courseId,
        name: 'Les planètes telluriques',
        media: [{ type: 'VIDEO', url: 'https://videos.example.org/telluriques.mp4' }],
      },
    })
    const reading = await sdk.lms.createLmsClass({
      connectionId: slug,
      lmsClass: { courseId, name: 'Lire', media: [{ type: 'TEXT', content: '# Les planètes' }] },
    })
    expect(reading).toMatchObject({
      courseId,
      name: 'Lire',
      media: [{ type: 'TEXT', content: '# Les planètes' }],
    })
    expect(reading).not.toHaveProperty('description')
    const steps = (await owner.client.get(`/api/lms/classes?course_id=${courseId}`)).body
    expect(steps.map((s: { id: string; step_type: string }) => [s.id, s.step_type])).toEqual([
      [video.id, 'video'],
      [reading.id, 'reading'],
    ])
    const classes = await sdk.lms.listLmsClasses({ connectionId: slug, courseId })
    expect(classes.map((c) => c.id)).toEqual([video.id, reading.id])
    expect(await sdk.lms.getLmsClass({ connectionId: slug, id: video.id as string })).toEqual(video)

    const byCourse = await sdk.lms.listLmsStudents({ connectionId: slug, courseId })
    expect(byCourse.map((s) => s.id)).toEqual([ines.id])
    const byClass = await sdk.lms.listLmsStudents({ connectionId: slug, classId: reading.id })
    expect(byClass.map((s) => s.id)).toEqual([ines.id])
    const teaching = await sdk.lms.listLmsInstructors({ connectionId: slug, classId: video.id })
    expect(teaching.map((i) => i.id)).toEqual([paul.id])

    const renamed = await sdk.lms.updateLmsClass({
      connectionId: slug,
      id: video.id as string,
      lmsClass: { name: 'Les planètes rocheuses' },
    })
    expect(renamed.name).toBe('Les planètes rocheuses')
    const described = await sdk.lms.patchLmsClass({
      connectionId: slug,
      id: video.id as string,
      lmsClass: { description: 'Mercure, Vénus, la Terre et Mars.' },
    })
    expect(described).toMatchObject({
      name: 'Les planètes rocheuses',
      description: 'Mercure, Vénus, la Terre et Mars.',
    })

    const enrolled = await sdk.lms.updateLmsCourse({
      connectionId: slug,
      id: courseId,
      lmsCourse: { students: [{ id: ines.id }, { id: tom.id }] },
    })
    expect(enrolled.students?.map((s) => s.id).sort()).toEqual([ines.id, tom.id].sort())
    const patched = await sdk.lms.patchLmsCourse({
      connectionId: slug,
      id: courseId,
      lmsCourse: { description: 'Un parcours mis à jour.' },
    })
    expect(patched).toMatchObject({ description: 'Un parcours mis à jour.', instructors: [{ id: paul.id }] })
    expect(patched.students).toHaveLength(2)
    const nowEnrolled = await sdk.lms.listLmsStudents({ connectionId: slug, courseId })
    expect(nowEnrolled.map((s) => s.id)).not.toContain(other.id)

    await sdk.lms.removeLmsClass({ connectionId: slug, id: reading.id as string })
    expect(await statusOf(sdk.lms.getLmsClass({ connectionId: slug, id: reading.id as string }))).toBe(404)
    await sdk.lms.removeLmsCourse({ connectionId: slug, id: courseId })
    expect(await statusOf(sdk.lms.getLmsCourse({ connectionId: slug, id: courseId }))).toBe(404)
  })

  it("refuses another school's connection and an unknown one", async () => {
    const otherSchool = await createOrg(t)
    expect(await statusOf(sdk.lms.listLmsStudents({ connectionId: otherSchool.slug }))).toBe(404)
    expect(await statusOf(sdk.lms.listLmsCourses({ connectionId: 'no-such-school' }))).toBe(404)
    const intruder = new UnifiedTo({
      serverURL: `${t.url}/api/unified`,
      security: { jwt: 'sil_not-a-token' },
    })
    expect(await statusOf(intruder.lms.listLmsStudents({ connectionId: slug }))).toBe(401)
  })

  it('takes the token with the Bearer scheme in any case, or alone, and refuses other schemes', async () => {
    const call = (authorization: string) =>
      t.client({ origin: null }).post('/api/lms/students', { name: 'Par jeton' }, { authorization })
    expect((await call(`Bearer ${token}`)).status).toBe(201)
    expect((await call(`bearer ${token}`)).status).toBe(201)
    expect((await call(`BEARER  ${token}`)).status).toBe(201)
    expect((await call(token)).status).toBe(201)
    const basic = await call(`Basic ${Buffer.from(`x:${token}`).toString('base64')}`)
    expect(basic.status).toBe(401)
    // A token alone is an explicit credential, as Bearer is: a cross-site browser could not add it.
    const crossSite = await t
      .client({ origin: 'https://elsewhere.example' })
      .post('/api/lms/students', { name: 'Par jeton' }, { authorization: token })
    expect(crossSite.status).toBe(201)
  })
})
