import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../../test/helpers/app.ts'
import { testDialects } from '../../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../../test/helpers/factories.ts'
import { type Frame, TestSocket } from '../../../../test/helpers/sockets.ts'
import { waitUntil } from '../../../../test/helpers/wait.ts'
import type { Role } from '../../../core/http/roles.ts'

describe.each(testDialects())('the real-time gateway on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  const sockets: TestSocket[] = []

  type Member = Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    // Posting fast is what these tests do: the per-member limit is not what they test.
    t.messaging.rateLimit = { messages: 10_000, windowMs: 60_000 }
    orgId = (await createOrg(t)).id
  })
  afterAll(async () => {
    for (const socket of sockets) await socket.close()
    await t.close()
  })

  const member = (role: Role, org = orgId) => signedInMember(t, org, role)

  async function connect(who: Member | null, query: Record<string, string> = {}) {
    const socket = await TestSocket.ready(t.url, { as: who?.client, query })
    sockets.push(socket)
    return socket
  }

  async function conversation(a: Member, b: Member): Promise<string> {
    const res = await a.client.post('/api/conversations', { member_id: b.userId })
    expect([200, 201], JSON.stringify(res.body)).toContain(res.status)
    return res.body.id
  }

  let posted = 0
  async function post(from: Member, conversationId: string, body = `message ${posted}`) {
    const res = await from.client.post(`/api/conversations/${conversationId}/messages`, {
      client_id: `rt-${posted++}`,
      body,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as { id: string; body: string; conversation_id: string }
  }

  const created = (socket: TestSocket) => socket.of('message.created')

  it('delivers a message posted over HTTP live to every participant, as the thread shows it', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const conversationId = await conversation(teacher, student)
    const [studentSocket, teacherSocket] = [await connect(student), await connect(teacher)]
    expect(studentSocket.of('ready')[0]?.data.member_id).toBe(student.userId)
    const message = await post(teacher, conversationId, 'Bonjour, as-tu vu la leçon 3 ?')
    const frame = await studentSocket.next(
      (f) => f.type === 'message.created',
      'the message on the student socket',
    )
    expect(frame.id).toMatch(/^\d+$/)
    const thread = await student.client.get(`/api/conversations/${conversationId}/messages`)
    expect(frame.data).toEqual(thread.body.data[0])
    expect(frame.data).toMatchObject({ id: message.id, conversation_id: conversationId })
    // The author's other tabs hear it too.
    await teacherSocket.next((f) => f.type === 'message.created', 'the message on the author socket')
  })

  it('resumes after the last id seen: what was missed in order, once, then live', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const conversationId = await conversation(teacher, student)
    const first = await connect(student)
    const m1 = await post(teacher, conversationId)
    const seen = await first.next((f) => f.data?.id === m1.id, 'the first message')
    await first.close()

    const m2 = await post(teacher, conversationId)
    const edited = await teacher.client.patch(`/api/messages/${m1.id}`, { body: 'corrigé' })
    expect(edited.status).toBe(200)
    const m3 = await post(teacher, conversationId)

    const again = await connect(student, { after: seen.id as string })
    const durable = again.frames.filter((f) => f.id !== undefined)
    expect(durable.map((f) => [f.type, f.data.id])).toEqual([
      ['message.created', m2.id],
      ['message.updated', m1.id],
      ['message.created', m3.id],
    ])
    expect(durable.find((f) => f.type === 'message.updated')?.data).toMatchObject({
      body: 'corrigé',
      state: 'edited',
    })
    expect(again.of('ready')[0]?.data).toMatchObject({ missed: 3, resync: false })
    const m4 = await post(teacher, conversationId)
    await again.next((f) => f.data?.id === m4.id, 'the next message, live')
    const ids = again.frames.flatMap((f) => (f.id ? [Number(f.id)] : []))
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b))
  })

  it('loses and doubles nothing when a client resumes while messages keep coming', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const conversationId = await conversation(teacher, student)
    const before = await post(teacher, conversationId)
    const watcher = await connect(student)
    await post(teacher, conversationId)
    const cursor = (await watcher.next((f) => f.type === 'message.created', 'a message')).id as string
    let stop = false
    const sent: string[] = []
    const writer = (async () => {
      while (!stop && sent.length < 60) sent.push((await post(teacher, conversationId)).id)
    })()
    await waitUntil(() => sent.length >= 5, 'posting to start')
    const resumed = await connect(student, { after: cursor })
    await waitUntil(() => sent.length >= 20, 'more posts after the resume')
    stop = true
    await writer
    const last = sent.at(-1)
    await resumed.next((f) => f.data?.id === last, 'the last message')
    const received = created(resumed).map((f) => f.data.id)
    expect(received).toEqual(sent)
    expect(received).not.toContain(before.id)
  })

  it('sends read receipts and edits to the other participants', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const conversationId = await conversation(teacher, student)
    const message = await post(teacher, conversationId)
    const teacherSocket = await connect(teacher)
    const read = await student.client.post(`/api/conversations/${conversationId}/read`, { up_to: message.id })
    expect(read.status).toBe(200)
    const receipt = await teacherSocket.next((f) => f.type === 'conversation.read', 'the receipt')
    expect(receipt.data).toEqual({
      conversation_id: conversationId,
      member_id: student.userId,
      last_read_message_id: message.id,
    })
    expect((await teacher.client.delete(`/api/messages/${message.id}`)).status).toBe(200)
    const deleted = await teacherSocket.next(
      (f) => f.type === 'message.updated' && f.data.state === 'deleted',
      'the deletion',
    )
    expect(deleted.data).toMatchObject({ id: message.id, body: null })
  })

  it('pushes what another module delivers (a notification) and says who is online', async () => {
    const student = await member('student')
    expect(await t.realtime.isOnline(orgId, student.userId)).toBe(false)
    const socket = await connect(student)
    expect(await t.realtime.isOnline(orgId, student.userId)).toBe(true)
    const data = { id: 'n-1', kind: 'course.assigned', read_at: null }
    await t.realtime.deliver(orgId, [student.userId], { type: 'notification.created', data })
    const frame = await socket.next((f) => f.type === 'notification.created', 'the notification')
    expect(frame.data).toEqual(data)
    await socket.close()
    await waitUntil(async () => !(await t.realtime.isOnline(orgId, student.userId)), 'the student offline')
  })

  it('tells contacts who comes and goes, and who is typing where', async () => {
    const [teacher, student, stranger] = [
      await member('instructor'),
      await member('student'),
      await member('student'),
    ]
    const conversationId = await conversation(teacher, student)
    const teacherSocket = await connect(teacher)
    const strangerSocket = await connect(stranger)
    const studentSocket = await connect(student)
    // The student is told the teacher is here; the teacher hears the student arrive.
    await studentSocket.next(
      (f) => f.type === 'presence' && f.data.member_id === teacher.userId,
      'teacher present',
    )
    await teacherSocket.next(
      (f) => f.type === 'presence' && f.data.member_id === student.userId && f.data.online,
      'student online',
    )
    studentSocket.send({ type: 'typing', conversation_id: conversationId })
    const typing = await teacherSocket.next((f) => f.type === 'typing', 'the typing frame')
    expect(typing.data).toEqual({ conversation_id: conversationId, member_id: student.userId })
    // Typing in a conversation one is not in reaches nobody.
    strangerSocket.send({ type: 'typing', conversation_id: conversationId })
    await studentSocket.close()
    await teacherSocket.next(
      (f) => f.type === 'presence' && f.data.member_id === student.userId && f.data.online === false,
      'student offline',
    )
    expect(teacherSocket.of('typing')).toHaveLength(1)
    expect(strangerSocket.of('presence')).toEqual([])
  })

  it('opens with a ticket once: a replayed, forged or expired ticket gets the socket closed', async () => {
    const student = await member('student')
    const ticket = await student.client.post('/api/realtime/ticket')
    expect(ticket.status).toBe(201)
    const bySocket = await connect(null, { ticket: ticket.body.ticket })
    expect(bySocket.of('ready')[0]?.data.member_id).toBe(student.userId)

    const replayed = await TestSocket.open(t.url, { query: { ticket: ticket.body.ticket } })
    expect(await replayed.waitClosed()).toEqual({ code: 4401, reason: 'ticket_invalid' })
    const forged = await TestSocket.open(t.url, { query: { ticket: 'x'.repeat(43) } })
    expect(await forged.waitClosed()).toEqual({ code: 4401, reason: 'ticket_invalid' })

    const late = await student.client.post('/api/realtime/ticket')
    t.clock.advance(31_000)
    try {
      const expired = await TestSocket.open(t.url, { query: { ticket: late.body.ticket } })
      expect(await expired.waitClosed()).toEqual({ code: 4401, reason: 'ticket_expired' })
    } finally {
      t.clock.advance(-31_000)
    }
    expect((await t.client().post('/api/realtime/ticket')).status).toBe(401)
  })

  it('refuses a socket from another origin, and closes one without a session', async () => {
    const student = await member('student')
    await expect(
      TestSocket.open(t.url, { as: student.client, origin: 'https://evil.example' }),
    ).rejects.toMatchObject({
      status: 403,
    })
    const anonymous = await TestSocket.open(t.url)
    expect(await anonymous.waitClosed()).toEqual({ code: 4401, reason: 'unauthenticated' })
    expect((await student.client.get('/api/realtime')).status).toBe(426)
  })

  it('answers malformed frames, and closes a socket that floods or sends an oversize frame', async () => {
    const student = await member('student')
    const socket = await connect(student)
    socket.send('not json')
    socket.send({ type: 'subscribe', channel: '*' })
    await waitUntil(() => socket.of('error').length === 2, 'two error frames')
    expect(socket.of('error')[0]?.data.code).toBe('bad_frame')
    socket.send({ type: 'ping' })
    await socket.next((f) => f.type === 'pong', 'the pong')

    const flooding = await connect(student)
    for (let i = 0; i < 200; i++) flooding.send({ type: 'ping' })
    expect(await flooding.waitClosed()).toEqual({ code: 4429, reason: 'rate_limited' })

    const oversize = await connect(student)
    oversize.send({ type: 'typing', conversation_id: 'x'.repeat(10_000) })
    expect((await oversize.waitClosed()).code).toBe(1009)
    // The first socket is still served.
    socket.send({ type: 'ping' })
    await waitUntil(() => socket.of('pong').length === 2, 'a second pong')
  })

  it("never sends a member of another school anything of this school's", async () => {
    const otherOrg = (await createOrg(t)).id
    const outsider = await member('owner', otherOrg)
    const outsiderSocket = await connect(outsider)
    const [teacher, student] = [await member('instructor'), await member('student')]
    const conversationId = await conversation(teacher, student)
    const studentSocket = await connect(student)
    // The outsider names the conversation and resumes from this school's numbers: nothing comes of it.
    outsiderSocket.send({ type: 'typing', conversation_id: conversationId })
    outsiderSocket.send({ type: 'resume', after: '0' })
    const message = await post(teacher, conversationId)
    studentSocket.send({ type: 'typing', conversation_id: conversationId })
    await studentSocket.next((f) => f.data?.id === message.id, 'the message on the student socket')
    // Ordered after the outsider's own frames: once its own event arrives, anything else would have too.
    await t.realtime.deliver(otherOrg, [outsider.userId], {
      type: 'notification.created',
      data: { id: 'own' },
    })
    await outsiderSocket.next((f) => f.type === 'notification.created', "the outsider's own notification")
    const leaked = outsiderSocket.frames.filter((f: Frame) => JSON.stringify(f).includes(conversationId))
    expect(leaked).toEqual([])
    expect(outsiderSocket.of('message.created')).toEqual([])
  })
})
