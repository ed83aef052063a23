import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createMember, createOrg, signedInMember } from '../../../test/helpers/factories.ts'

// Lists that grow with a school (API tokens, webhook subscriptions) answer one page at a time, with the
// total, and search on the server.

describe.each(testDialects())('searched and paged lists on %s', (dialect) => {
  let t: TestApp
  let admin: Awaited<ReturnType<typeof signedInMember>>
  let orgId: string

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { WEBHOOK_ALLOWED_HOSTS: 'hooks.example.org' } })
    orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  it('pages and searches API tokens, newest first, with the total', async () => {
    for (const name of ['export one', 'export two', 'export three', 'grades']) {
      expect((await admin.client.post('/api/tokens', { name })).status).toBe(201)
      t.clock.advance(1000)
    }
    const first = await admin.client.get('/api/tokens?query=EXPORT&limit=2&offset=0')
    expect(first.status).toBe(200)
    expect(first.body.total).toBe(3)
    expect(first.body.data.map((d: { name: string }) => d.name)).toEqual(['export three', 'export two'])
    const second = await admin.client.get('/api/tokens?query=export&limit=2&offset=2')
    expect(second.body.data.map((d: { name: string }) => d.name)).toEqual(['export one'])
    expect((await admin.client.get('/api/tokens')).body.total).toBe(4)
  })

  it('pages and searches webhook subscriptions by URL, with the total', async () => {
    for (const path of ['grades', 'crm-a', 'crm-b']) {
      const res = await admin.client.post('/api/webhooks', {
        url: `https://hooks.example.org/${path}`,
        event_types: ['learner.step_completed'],
      })
      expect(res.status).toBe(201)
      t.clock.advance(1000)
    }
    const page = await admin.client.get('/api/webhooks?query=CRM&limit=1&offset=1')
    expect(page.status).toBe(200)
    expect(page.body).toMatchObject({ total: 2, data: [{ url: 'https://hooks.example.org/crm-b' }] })
    expect((await admin.client.get('/api/webhooks?limit=0')).status).toBe(400)
  })

  // LIKE reads % and _ as wildcards and \ as an escape: a search must match them as the characters typed.
  const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map((d) => d.name).sort()

  it('matches %, _ and \\ in a token search literally', async () => {
    for (const name of ['50% off', '500 off', 'a_b', 'axb', 'c\\d', 'c\\\\d'])
      expect((await admin.client.post('/api/tokens', { name })).status).toBe(201)
    expect(names(await admin.client.get(`/api/tokens?query=${encodeURIComponent('50%')}`))).toEqual([
      '50% off',
    ])
    expect(names(await admin.client.get('/api/tokens?query=a_b'))).toEqual(['a_b'])
    expect(names(await admin.client.get(`/api/tokens?query=${encodeURIComponent('c\\d')}`))).toEqual(['c\\d'])
  })

  it('matches _ in a webhook search literally', async () => {
    for (const path of ['hook_one', 'hookxone']) {
      const res = await admin.client.post('/api/webhooks', {
        url: `https://hooks.example.org/${path}`,
        event_types: ['learner.step_completed'],
      })
      expect(res.status).toBe(201)
    }
    const found = await admin.client.get('/api/webhooks?query=hook_one')
    expect(found.body.data.map((d: { url: string }) => d.url)).toEqual(['https://hooks.example.org/hook_one'])
  })

  it('matches % and _ in a member search literally', async () => {
    await createMember(t, orgId, 'support', 'jo_ann@example.org')
    await createMember(t, orgId, 'support', 'joxann@example.org')
    const found = await admin.client.get('/api/members?query=jo_ann')
    expect(found.body.data.map((m: { email: string }) => m.email)).toEqual(['jo_ann@example.org'])
    expect((await admin.client.get(`/api/members?query=${encodeURIComponent('%')}`)).body.total).toBe(0)
  })
})
