import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'

type Badge = { id: string; code: string; key: string | null; name: string; description: string | null }

describe.each(testDialects())('translation keys of badges on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: TestClient
  let student: TestClient

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    admin = (await signedInMember(t, orgId, 'admin')).client
    student = (await signedInMember(t, orgId, 'student')).client
  })
  afterAll(() => t.close())

  const badges = async () => (await admin.get<Badge[]>('/api/gamification/badges')).body
  const byCode = async (code: string) => (await badges()).find((b) => b.code === code) as Badge

  it("gives default badges their code as key and the school's own badges none", async () => {
    const created = await admin.post<Badge>('/api/gamification/badges', {
      code: 'night_owl',
      name: 'Oiseau de nuit',
      criteria: { count: { signal: 'VIDEO_COMPLETED' }, gte: 3 },
      points_reward: 5,
    })
    expect(created.status).toBe(201)
    expect(created.body.key).toBeNull()
    const list = await badges()
    expect(list.find((b) => b.code === 'first_video')).toMatchObject({
      key: 'first_video',
      name: 'Première vidéo',
    })
    expect(list.find((b) => b.code === 'night_owl')?.key).toBeNull()
    const mine = (await student.get('/api/me/badges')).body
    expect(mine.not_earned.find((b: Badge) => b.code === 'quiz_master').key).toBe('quiz_master')
  })

  it('keeps the key when a default badge changes only its icon or reward, and drops it once renamed', async () => {
    const expert = await byCode('expert')
    const icon = await admin.patch<Badge>(`/api/gamification/badges/${expert.id}`, {
      icon: 'trophy',
      points_reward: 300,
    })
    expect(icon.body.key).toBe('expert')
    const same = await admin.patch<Badge>(`/api/gamification/badges/${expert.id}`, { name: expert.name })
    expect(same.body.key).toBe('expert')

    const renamed = await admin.patch<Badge>(`/api/gamification/badges/${expert.id}`, { name: 'Virtuose' })
    expect(renamed.body).toMatchObject({ key: null, name: 'Virtuose' })
    const described = await byCode('video_5')
    const redescribed = await admin.patch<Badge>(`/api/gamification/badges/${described.id}`, {
      description: 'Cinq vidéos de notre école',
    })
    expect(redescribed.body).toMatchObject({ key: null, name: 'Cinq vidéos' })
    expect(
      (await student.get('/api/me/badges')).body.not_earned.find((b: Badge) => b.code === 'expert'),
    ).toMatchObject({
      key: null,
      name: 'Virtuose',
    })
  })
})
