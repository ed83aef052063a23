import { createServer, type IncomingHttpHeaders } from 'node:http'
import { type AddressInfo, createServer as createTcpServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { signIn } from '../../../test/helpers/factories.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { DEMO_PASSWORD, seedDemo } from '../../demo.ts'
import { userProgressProjector } from '../progress/index.ts'
import { trackingEvents } from '../tracking/index.ts'
import type { Resolver } from './adapters/address-guard.ts'
import { dispatchWebhooks, signPayload } from './index.ts'

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
    // The receiver is on loopback: the operator's allow-list is what lets deliveries reach it.
    t = await startTestApp(dialect, { env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } })
    await seedDemo(t)
    owner = await signIn(t, 'direction@demo.sillon.test', DEMO_PASSWORD)
    lea = await signIn(t, 'lea@demo.sillon.test', DEMO_PASSWORD)
  })
  afterAll(async () => {
    await t.close()
    await receiver.close()
  })

  async function completeCurrentVideo(student = lea) {
    const classId = (await student.get('/api/learner')).body.courses[0].current_step.class_id
    await student.post('/api/video-event', { class_id: classId, position: 0 })
    t.clock.advance(15_000)
    await student.post('/api/video-event', { class_id: classId, position: 30, playback_rate: 2 })
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
      last_error: 'HTTP 500',
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

  it('does not follow a redirect, to an internal address or anywhere else', async () => {
    const inside = await listen((_req, res) => res.writeHead(204).end())
    const redirecting = await listen((_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${inside.port}/metadata` }).end(),
    )
    const hook = await owner.post('/api/webhooks', {
      url: `http://127.0.0.1:${redirecting.port}/hooks`,
      event_types: ['learner.step_completed'],
    })
    expect(hook.status).toBe(201)
    // The last step of the demo course, a reading.
    const reading = (await lea.get('/api/learner')).body.courses[0].current_step.class_id
    expect((await lea.post('/api/step-ack', { class_id: reading })).status).toBe(200)
    await t.dispatch()
    const [delivery] = (await owner.get(`/api/webhooks/${hook.body.id}/deliveries`)).body.data
    expect(delivery).toMatchObject({
      status: 'pending',
      last_status_code: 302,
      last_error: 'HTTP 302: redirects are not followed',
    })
    expect(redirecting.hits).toBe(1)
    expect(inside.hits).toBe(0)
    await owner.delete(`/api/webhooks/${hook.body.id}`)
    await Promise.all([inside.close(), redirecting.close()])
  })

  it('logs a closed port and an open one that does not speak HTTP with the same words', async () => {
    const closed = await listen(() => {})
    await closed.close()
    const raw = createTcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n', () => socket.destroy()))
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
    const rawPort = (raw.address() as AddressInfo).port
    const ids: string[] = []
    for (const port of [closed.port, rawPort]) {
      const hook = await owner.post('/api/webhooks', {
        url: `http://127.0.0.1:${port}/`,
        event_types: ['learner.step_completed'],
      })
      ids.push(hook.body.id)
    }
    await completeCurrentVideo(await signIn(t, 'hugo@demo.sillon.test', DEMO_PASSWORD))
    await t.dispatch()
    const errors = await Promise.all(
      ids.map(async (id) => (await owner.get(`/api/webhooks/${id}/deliveries`)).body.data[0].last_error),
    )
    expect(errors).toEqual(['connection failed', 'connection failed'])
    for (const id of ids) await owner.delete(`/api/webhooks/${id}`)
    await new Promise<void>((resolve) => raw.close(() => resolve()))
  })
})

type Listening = { port: number; hits: number; close(): Promise<void> }

async function listen(handler: Parameters<typeof createServer>[1]): Promise<Listening> {
  const server = createServer((req, res) => {
    listening.hits++
    handler?.(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const listening: Listening = {
    port: (server.address() as AddressInfo).port,
    hits: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  return listening
}

describe.each(testDialects())('webhook addresses on %s', (dialect) => {
  let t: TestApp
  let owner: TestClient
  let lea: TestClient
  let receiver: Listening

  beforeAll(async () => {
    receiver = await listen((_req, res) => res.writeHead(204).end())
    // No allow-list: what a deployment gets by default.
    t = await startTestApp(dialect)
    await seedDemo(t)
    owner = await signIn(t, 'direction@demo.sillon.test', DEMO_PASSWORD)
    lea = await signIn(t, 'lea@demo.sillon.test', DEMO_PASSWORD)
  })
  afterAll(async () => {
    await t.close()
    await receiver.close()
  })

  /** A resolver that answers for the test's names only, so that no query leaves the machine. */
  const resolver =
    (names: Record<string, string>): Resolver =>
    (hostname, callback) => {
      const address = names[hostname]
      if (!address) return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), [])
      callback(null, [{ address, family: address.includes(':') ? 6 : 4 }])
    }

  it('refuses to subscribe a URL whose host is an internal address, with a clear 400', async () => {
    const internal = [
      `http://127.0.0.1:${receiver.port}/hooks`,
      'http://10.0.0.1/',
      'http://192.168.1.20:8080/hook',
      'http://[::1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:7f00:1]:5432/',
      'http://100.100.100.200/',
      'http://0.0.0.0:6379/',
      'http://2130706433/',
      'http://localhost:3000/',
      'http://admin.localhost/',
    ]
    for (const url of internal) {
      const res = await owner.post('/api/webhooks', { url, event_types: ['learner.step_completed'] })
      expect(res.status, url).toBe(400)
      expect(res.body.error).toMatchObject({
        code: 'webhook_address_not_allowed',
        message: expect.any(String),
      })
    }
    const publicHook = await owner.post('/api/webhooks', {
      url: 'https://hooks.example.org/sillon',
      event_types: ['learner.step_completed'],
    })
    expect(publicHook.status).toBe(201)
    const moved = await owner.patch(`/api/webhooks/${publicHook.body.id}`, { url: 'http://10.1.2.3/' })
    expect(moved.status).toBe(400)
    expect(moved.body.error.code).toBe('webhook_address_not_allowed')
    expect((await owner.get('/api/webhooks')).body.data).toEqual([
      expect.objectContaining({ url: 'https://hooks.example.org/sillon' }),
    ])
    await owner.delete(`/api/webhooks/${publicHook.body.id}`)
  })

  it('refuses at delivery a host name that resolves to an internal address, whatever the port', async () => {
    const closed = await listen(() => {})
    await closed.close()
    const names = { 'hooks.sillon.test': '127.0.0.1', 'dual.sillon.test': '::ffff:10.0.0.7' }
    const urls = [
      `http://hooks.sillon.test:${receiver.port}/hooks`,
      `http://hooks.sillon.test:${closed.port}/hooks`,
      'http://dual.sillon.test/hooks',
    ]
    const ids: string[] = []
    for (const url of urls) {
      const hook = await owner.post('/api/webhooks', { url, event_types: ['learner.step_completed'] })
      expect(hook.status, url).toBe(201)
      ids.push(hook.body.id)
    }
    const classId = (await lea.get('/api/learner')).body.courses[0].current_step.class_id
    await lea.post('/api/video-event', { class_id: classId, position: 0 })
    t.clock.advance(15_000)
    await lea.post('/api/video-event', { class_id: classId, position: 30, playback_rate: 2 })
    const deps = { db: t.database.db, clock: t.clock, allowedHosts: [], resolve: resolver(names) }
    expect((await dispatchWebhooks(deps)).sent).toBe(3)
    for (const id of ids) {
      const [delivery] = (await owner.get(`/api/webhooks/${id}/deliveries`)).body.data
      expect(delivery).toMatchObject({
        status: 'pending',
        last_status_code: null,
        last_error: 'address not allowed',
      })
    }
    expect(receiver.hits).toBe(0)
  })
})
