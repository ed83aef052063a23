import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { signIn } from '../../../test/helpers/factories.ts'
import { DEMO_PASSWORD, seedDemo } from '../../demo.ts'

describe.each(testDialects())('monitoring views on %s', (dialect) => {
  let t: TestApp
  let owner: TestClient
  let lea: TestClient
  let leaId: string
  let hugoId: string

  beforeAll(async () => {
    t = await startTestApp(dialect)
    await seedDemo(t)
    owner = await signIn(t, 'direction@demo.sillon.test', DEMO_PASSWORD)
    lea = await signIn(t, 'lea@demo.sillon.test', DEMO_PASSWORD)
    const hugo = await signIn(t, 'hugo@demo.sillon.test', DEMO_PASSWORD)
    leaId = (await lea.get('/api/auth/me')).body.student_id
    hugoId = (await hugo.get('/api/auth/me')).body.student_id
    const classId = (await lea.get('/api/learner')).body.courses[0].current_step.class_id
    await lea.post('/api/video-event', { class_id: classId, position: 0 })
    t.clock.advance(15_000)
    await lea.post('/api/video-event', { class_id: classId, position: 30, playback_rate: 2 })
    t.clock.advance(2 * 86_400_000)
    await hugo.post('/api/video-event', { class_id: classId, position: 0 })
  })
  afterAll(() => t.close())

  it('counts events per day and type', async () => {
    const res = await owner.get('/api/monitoring/events-daily?from=2026-11-20&to=2026-11-30')
    expect(res.status).toBe(200)
    expect(res.body.data).toEqual([
      { day: '2026-11-22', type: 'VIDEO_PING', events: 2 },
      { day: '2026-11-24', type: 'VIDEO_PING', events: 1 },
    ])
    expect((await owner.get('/api/monitoring/events-daily?from=2026-12-01&to=2026-11-01')).status).toBe(400)
  })

  it("sums each student's signals", async () => {
    const res = await owner.get('/api/monitoring/signals')
    expect(res.body.data).toEqual([
      {
        student_id: leaId,
        VIDEO_COMPLETED: 1,
        QUIZ_ATTEMPTED: 0,
        QUIZ_PASSED: 0,
        STEP_COMPLETED: 1,
        COURSE_COMPLETED: 0,
      },
    ])
  })

  it('shows when each student was last active and how much in the last day', async () => {
    const res = await owner.get('/api/monitoring/activity')
    const byStudent = Object.fromEntries(res.body.data.map((r: { student_id: string }) => [r.student_id, r]))
    expect(byStudent[hugoId]).toMatchObject({ events_last_24h: 1, last_event_at: '2026-11-24T09:00:15.000Z' })
    expect(byStudent[leaId]).toMatchObject({ events_last_24h: 0, last_event_at: '2026-11-22T09:00:15.000Z' })
  })

  it('is for owners, admins and support staff', async () => {
    expect((await lea.get('/api/monitoring/activity')).status).toBe(403)
    const teacher = await signIn(t, 'prof@demo.sillon.test', DEMO_PASSWORD)
    expect((await teacher.get('/api/monitoring/signals')).status).toBe(403)
  })
})
