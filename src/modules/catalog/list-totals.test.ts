import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'

// Courses (Unified.to's shape) and teams are answered as bare arrays: their total across all pages comes
// in X-Total-Count, counted with the same filters as the page, and readable by allowed cross-origin clients.

const APP_ORIGIN = 'https://portal.example.org'

describe.each(testDialects())('totals of bare-array lists on %s', (dialect) => {
  let t: TestApp
  let admin: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { CORS_ORIGINS: APP_ORIGIN } })
    const orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  it('counts the teams matching a search across all pages', async () => {
    for (const name of ['Seconde A', 'Seconde B', 'Seconde C', 'Première A']) {
      expect((await admin.client.post('/api/teams', { name })).status).toBe(201)
    }
    const page = await admin.client.get('/api/teams?query=SECONDE&limit=2&offset=2')
    expect(page.status).toBe(200)
    expect(page.body.map((team: { name: string }) => team.name)).toEqual(['Seconde C'])
    expect(page.headers.get('x-total-count')).toBe('3')
    expect((await admin.client.get('/api/teams?limit=1')).headers.get('x-total-count')).toBe('4')
    expect((await admin.client.get('/api/teams?query=terminale')).headers.get('x-total-count')).toBe('0')
  })

  it('matches %, _ and \\ in a team or course search literally', async () => {
    for (const name of ['Groupe 50%', 'Groupe 500', 'g_1', 'gx1']) {
      expect((await admin.client.post('/api/teams', { name })).status).toBe(201)
      expect((await admin.client.post('/api/lms/courses', { name })).status).toBe(201)
    }
    const named = (res: { body: { name: string }[] }) => res.body.map((x) => x.name)
    const search = encodeURIComponent('50%')
    expect(named(await admin.client.get(`/api/teams?query=${search}`))).toEqual(['Groupe 50%'])
    expect(named(await admin.client.get('/api/teams?query=g_1'))).toEqual(['g_1'])
    expect(named(await admin.client.get(`/api/lms/courses?query=${search}`))).toEqual(['Groupe 50%'])
    expect(named(await admin.client.get('/api/lms/courses?query=g_1'))).toEqual(['g_1'])
  })

  it('counts the courses matching a search and a status across all pages, in Unified.to’s shape', async () => {
    for (const name of ['Algèbre 1', 'Algèbre 2', 'Géométrie']) {
      expect((await admin.client.post('/api/lms/courses', { name })).status).toBe(201)
      t.clock.advance(1000)
    }
    const page = await admin.client.get('/api/lms/courses?query=alg&limit=1&offset=0')
    expect(page.status).toBe(200)
    expect(Array.isArray(page.body)).toBe(true)
    expect(page.body.map((course: { name: string }) => course.name)).toEqual(['Algèbre 2'])
    expect(page.headers.get('x-total-count')).toBe('2')
    const published = await admin.client.get('/api/lms/courses?query=alg&status=published')
    expect(published.body).toEqual([])
    expect(published.headers.get('x-total-count')).toBe('0')
  })

  it('lets an allowed cross-origin client read the total', async () => {
    const res = await admin.client.get('/api/teams?limit=1', { origin: APP_ORIGIN })
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(res.headers.get('access-control-expose-headers')?.split(/,\s*/)).toContain('X-Total-Count')
  })

  it('documents the total as a response header of both lists', async () => {
    const doc = (await admin.client.get('/api/openapi.json')).body
    for (const path of ['/api/teams', '/api/lms/courses']) {
      expect(doc.paths[path].get.responses['200'].headers['X-Total-Count']).toMatchObject({
        schema: { type: 'integer', minimum: 0 },
      })
    }
  })
})
