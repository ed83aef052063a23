import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { signIn } from '../../../test/helpers/factories.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { DEMO_PASSWORD, seedDemo } from '../../demo.ts'
import { userProgressProjector } from '../progress/index.ts'
import { trackingEvents } from '../tracking/index.ts'
import { signPayload } from './index.ts'

type Received = { headers: IncomingHttpHeaders; body: string }

describe.each(testDialects())('webhooks for integration events on %s', (dialect) => {
  let t: TestApp
  let owner: TestClient
  let lea: TestClient
  let receiver: { url: string; received: Received[]; failWith: number | null; close(): Promise<void> }
  let subscription: { id: string; secret: string }

  beforeAll(async () => {
    const received: Received[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => {
        body += chunk
      })
      req.on('end', () => {
        received.push({ headers: req.headers, body })
        res.writeHead(receiver.failWith ?? 204).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    receiver = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
      received,
      failWith: null,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    }
    t = await startTestApp(dialect)
    await seedDemo(t)
    owner = await signIn(t, 'direction@demo.sillon.test', DEMO_PASSWORD)
    lea = await signIn(t, 'lea@demo.sillon.test', DEMO_PASSWORD)
  })
  afterAll(async () => {
    await t.close()
    await receiver.close()
  })

  async function completeCurrentVideo() {
    const classId = (await lea.get('/api/learner')).body.courses[0].current_step.class_id
    await lea.post('/api/video-event', { class_id: classId, position: 0 })
    t.clock.advance(15_000)
    await lea.post('/api/video-event', { class_id: classId, position: 30, playback_rate: 2 })
    return classId as string
  }

  it('subscribes a URL, showing the signing secret once', async () => {
    const res = await owner.post('/api/webhooks', {
      url: receiver.url,
      event_types: ['learner.step_completed', 'learner.course_completed'],
    })
    expect(res.status).toBe(201)
    expect(res.body.secret).toMatch(/^whsec_/)
    subscription = res.body
    const list = await owner.get('/api/webhooks')
    expect(list.body.data).toEqual([expect.objectContaining({ id: res.body.id, active: true })])
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret)
    expect(
      (await owner.post('/api/webhooks', { url: receiver.url, event_types: ['learner.sneezed'] })).status,
    ).toBe(400)
    expect((await lea.get('/api/webhooks')).status).toBe(403)
  })

  it('delivers a signed learner.step_completed once the step is completed', async () => {
    const classId = await completeCurrentVideo()
    await t.dispatch()
    expect(receiver.received).toHaveLength(1)
    const [delivery] = receiver.received as [Received]
    const body = JSON.parse(delivery.body)
    expect(body).toMatchObject({
      type: 'learner.step_completed',
      version: 1,
      data: {
        class_id: classId,
        step_index: 0,
        student_id: expect.any(String),
        course_id: expect.any(String),
      },
    })
    expect(delivery.headers['sillon-event-type']).toBe('learner.step_completed')
    const signature = String(delivery.headers['sillon-signature'])
    const timestamp = Number(/t=(\d+)/.exec(signature)?.[1])
    expect(signature).toBe(await signPayload(subscription.secret, timestamp, delivery.body))
    await t.dispatch()
    expect(receiver.received).toHaveLength(1)
  })

  it('retries a failed delivery with backoff and logs each outcome', async () => {
    receiver.failWith = 500
    const quizId = (await lea.get('/api/learner')).body.courses[0].current_step.class_id
    await lea.post('/api/quiz-submission', {
      class_id: quizId,
      answers: { q1: 'b', q2: ['a', 'c'], q3: false, q4: 'Mars', q5: 8 },
    })
    await t.dispatch()
    const deliveryOfQuiz = async () =>
      (await owner.get(`/api/webhooks/${subscription.id}/deliveries`)).body.data.find(
        (d: { event_id: string }) => d.event_id.endsWith(`:${quizId}`),
      )
    const failed = await deliveryOfQuiz()
    expect(failed).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_status_code: 500,
      last_error: 'answered 500',
    })
    const before = receiver.received.length
    await t.dispatch()
    expect(receiver.received.length).toBe(before)
    receiver.failWith = null
    t.clock.advance(31_000)
    await t.dispatch()
    const delivered = await deliveryOfQuiz()
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 204 })
  })

  it('sends each delivery once when several dispatchers run at the same time', async () => {
    const before = receiver.received.length
    t.clock.advance(5_000)
    // The third step of the demo course: its video, then its quiz.
    const classId = await completeCurrentVideo()
    const quiz = await lea.post('/api/quiz-submission', {
      class_id: classId,
      answers: { g1: 'b', g2: false },
    })
    expect(quiz.body.passed).toBe(true)
    await Promise.all([t.dispatch(), t.dispatch(), t.dispatch()])
    expect(receiver.received.length).toBe(before + 1)
  })

  it('never sends an event twice, even after the projection is rebuilt', async () => {
    const before = receiver.received.length
    await rebuildProjection(t.database.db, trackingEvents, userProgressProjector, t.clock)
    t.clock.advance(3_600_000)
    await t.dispatch()
    expect(receiver.received.length).toBe(before)
  })
})
