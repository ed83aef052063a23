import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import type { Role } from '../../core/http/roles.ts'
import { profilesOfUser } from '../identity/index.ts'
import { DEFAULT_MESSAGE_RATE_LIMIT } from './service.ts'
import { publishedCourse } from './test-support.ts'

describe.each(testDialects())('messaging on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let owner: Member

  type Member = Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    owner = await signedInMember(t, orgId, 'owner')
  })
  afterAll(() => t.close())

  const member = (role: Role) => signedInMember(t, orgId, role)

  async function direct(from: TestClient, to: Member, extra: Record<string, unknown> = {}) {
    return from.post('/api/conversations', { member_id: to.userId, ...extra })
  }

  async function conversationBetween(a: Member, b: Member): Promise<string> {
    const res = await direct(a.client, b)
    expect([200, 201], JSON.stringify(res.body)).toContain(res.status)
    return res.body.id
  }

  let posted = 0
  async function post(from: Member, conversationId: string, body = 'Bonjour') {
    const res = await from.client.post(`/api/conversations/${conversationId}/messages`, {
      client_id: `c-${posted++}`,
      body,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as { id: string; body: string }
  }

  const courseOf = (instructor: Member, student: Member) =>
    publishedCourse(t, orgId, owner.client, instructor, student)

  it('finds the direct conversation of two members again instead of starting another', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const first = await direct(teacher.client, student)
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ kind: 'direct', created_by: teacher.userId, unread_count: 0 })
    expect(first.body.participants.map((p: { member_id: string }) => p.member_id).sort()).toEqual(
      [teacher.userId, student.userId].sort(),
    )
    const again = await direct(teacher.client, student)
    expect(again.status).toBe(200)
    expect(again.body.id).toBe(first.body.id)
    const fromTheStudent = await direct(student.client, teacher)
    expect(fromTheStudent.status).toBe(200)
    expect(fromTheStudent.body.id).toBe(first.body.id)
    expect((await direct(teacher.client, teacher)).status).toBe(400)
  })

  it('lets a student write to the instructor of their course, not to another instructor', async () => {
    const [teacher, other, student] = [
      await member('instructor'),
      await member('instructor'),
      await member('student'),
    ]
    const courseId = await courseOf(teacher, student)
    const refused = await direct(student.client, other)
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('not_your_instructor')
    const allowed = await direct(student.client, teacher, { course_id: courseId })
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(201)
    expect(allowed.body.course_id).toBe(courseId)
    // School staff other than instructors are reachable without a course.
    expect((await direct(student.client, owner)).status).toBe(201)
    // And staff reach anyone.
    expect((await direct(other.client, student)).status).toBe(201)
  })

  it('refuses students writing to one another until the school allows it', async () => {
    const [ana, ben] = [await member('student'), await member('student')]
    const refused = await direct(ana.client, ben)
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('student_messaging_off')
    expect((await ana.client.patch('/api/organisation', { student_messaging: true })).status).toBe(403)
    const changed = await owner.client.patch('/api/organisation', { student_messaging: true })
    expect(changed.status).toBe(200)
    expect(changed.body.student_messaging).toBe(true)
    expect((await direct(ana.client, ben)).status).toBe(201)
    const off = await owner.client.patch('/api/organisation', { student_messaging: false })
    expect(off.body.student_messaging).toBe(false)
    expect((await owner.client.get('/api/organisation')).body.student_messaging).toBe(false)
  })

  it('lets staff start group conversations, with a list of members or a team, and not students', async () => {
    const [teacher, a, b] = [await member('instructor'), await member('student'), await member('student')]
    const group = await teacher.client.post('/api/conversations', { member_ids: [a.userId, b.userId] })
    expect(group.status, JSON.stringify(group.body)).toBe(201)
    expect(group.body.kind).toBe('group')
    expect(group.body.participants).toHaveLength(3)
    const byStudent = await a.client.post('/api/conversations', { member_ids: [b.userId] })
    expect(byStudent.status).toBe(403)
    expect(byStudent.body.error.code).toBe('group_staff_only')
    const studentIds = await Promise.all(
      [a, b].map(async (s) => (await profilesOfUser(t.identity, orgId, s.userId)).studentId),
    )
    const team = await owner.client.post('/api/teams', { name: 'Seconde B', student_ids: studentIds })
    expect(team.status, JSON.stringify(team.body)).toBe(201)
    const teamGroup = await teacher.client.post('/api/conversations', { team_id: team.body.id })
    expect(teamGroup.status, JSON.stringify(teamGroup.body)).toBe(201)
    expect(teamGroup.body.team_id).toBe(team.body.id)
    expect(teamGroup.body.participants.map((p: { member_id: string }) => p.member_id).sort()).toEqual(
      [teacher.userId, a.userId, b.userId].sort(),
    )
    const message = await post(a, teamGroup.body.id, 'Bonjour la classe')
    const seen = await b.client.get(`/api/conversations/${teamGroup.body.id}/messages`)
    expect(seen.body.data.map((m: { id: string }) => m.id)).toEqual([message.id])
  })

  it('answers 404 for a member or a conversation of another school', async () => {
    const otherOrg = (await createOrg(t)).id
    const stranger = await signedInMember(t, otherOrg, 'student')
    const strangerTeacher = await signedInMember(t, otherOrg, 'instructor')
    const teacher = await member('instructor')
    const res = await direct(teacher.client, stranger)
    expect(res.status).toBe(404)
    const theirs = await conversationBetween(strangerTeacher, stranger)
    const message = await post(stranger, theirs)
    expect((await teacher.client.get(`/api/conversations/${theirs}/messages`)).status).toBe(404)
    const write = await teacher.client.post(`/api/conversations/${theirs}/messages`, {
      client_id: 'x',
      body: 'hi',
    })
    expect(write.status).toBe(404)
    expect(
      (await teacher.client.post(`/api/conversations/${theirs}/read`, { up_to: message.id })).status,
    ).toBe(404)
    expect((await teacher.client.patch(`/api/messages/${message.id}`, { body: 'mine now' })).status).toBe(404)
    expect((await teacher.client.delete(`/api/messages/${message.id}`)).status).toBe(404)
    // Nor does a member of this school who is not in the conversation see it.
    const outsider = await member('instructor')
    const ours = await conversationBetween(teacher, await member('student'))
    expect((await outsider.client.get(`/api/conversations/${ours}/messages`)).status).toBe(404)
  })

  it('shuts a member removed from the school out of their conversations', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    await post(student, id, 'Avant')
    const removed = await owner.client.delete(`/api/members/${student.userId}`)
    expect(removed.status, JSON.stringify(removed.body)).toBeLessThan(300)
    const read = await student.client.get(`/api/conversations/${id}/messages`)
    expect([401, 403]).toContain(read.status)
    const write = await student.client.post(`/api/conversations/${id}/messages`, {
      client_id: 'after',
      body: 'Après',
    })
    expect([401, 403]).toContain(write.status)
    expect((await student.client.get('/api/conversations')).status).not.toBe(200)
    // The thread stays for the teacher.
    const kept = await teacher.client.get(`/api/conversations/${id}/messages`)
    expect(kept.body.data.map((m: { body: string }) => m.body)).toEqual(['Avant'])
  })

  it('stores a message once however often the same client_id is sent', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const body = { client_id: 'draft-42', body: 'Une question sur la quatrième étape' }
    const first = await student.client.post(`/api/conversations/${id}/messages`, body)
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ author_id: student.userId, state: 'sent', body: body.body })
    const again = await student.client.post(`/api/conversations/${id}/messages`, body)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    const page = await teacher.client.get(`/api/conversations/${id}/messages`)
    expect(page.body.data).toHaveLength(1)
    const list = await teacher.client.get('/api/conversations')
    const listed = list.body.data.find((c: { id: string }) => c.id === id)
    expect(listed.last_message.id).toBe(first.body.id)
    // The same client_id in another conversation names another message: refused, not silently merged.
    const elsewhere = await conversationBetween(student, owner)
    const clash = await student.client.post(`/api/conversations/${elsewhere}/messages`, body)
    expect(clash.status).toBe(409)
  })

  it('pages messages newest first and conversations by latest activity', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const sent = []
    for (let i = 0; i < 5; i++) {
      sent.push(await post(i % 2 ? teacher : student, id, `Message ${i}`))
      t.clock.advance(1000)
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2'
      const page = await student.client.get(`/api/conversations/${id}/messages${query}`)
      expect(page.status).toBe(200)
      expect(page.body.data.length).toBeLessThanOrEqual(2)
      seen.push(...page.body.data.map((m: { id: string }) => m.id))
      cursor = page.body.next_cursor
    } while (cursor)
    expect(seen).toEqual(sent.map((m) => m.id).reverse())
    expect((await student.client.get(`/api/conversations/${id}/messages?cursor=nonsense`)).status).toBe(400)

    // Three conversations for the teacher: the latest written to comes first.
    const others = [await member('student'), await member('student')]
    const ids = [id]
    for (const other of others) {
      ids.push(await conversationBetween(teacher, other))
      t.clock.advance(1000)
    }
    await post(teacher, ids[1] as string, 'Relance')
    const order: string[] = []
    cursor = null
    do {
      const query: string = cursor ? `?limit=1&cursor=${cursor}` : '?limit=1'
      const page = await teacher.client.get(`/api/conversations${query}`)
      expect(page.status).toBe(200)
      order.push(...page.body.data.map((c: { id: string }) => c.id))
      cursor = page.body.next_cursor
    } while (cursor)
    expect(order).toEqual([ids[1], ids[2], ids[0]])
  })

  it('counts unread messages and moves read receipts forward only', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const messages = [
      await post(student, id, 'Un'),
      await post(student, id, 'Deux'),
      await post(student, id, 'Trois'),
    ]
    const listed = async (who: Member) =>
      (await who.client.get('/api/conversations')).body.data.find((c: { id: string }) => c.id === id)
    expect((await listed(teacher)).unread_count).toBe(3)
    expect((await listed(student)).unread_count).toBe(0)
    const receipt = await teacher.client.post(`/api/conversations/${id}/read`, { up_to: messages[1]?.id })
    expect(receipt.status).toBe(200)
    expect(receipt.body).toEqual({
      conversation_id: id,
      last_read_message_id: messages[1]?.id,
      unread_count: 1,
    })
    const older = await teacher.client.post(`/api/conversations/${id}/read`, { up_to: messages[0]?.id })
    expect(older.body).toMatchObject({ last_read_message_id: messages[1]?.id, unread_count: 1 })
    const seen = await listed(student)
    const teacherSide = seen.participants.find((p: { member_id: string }) => p.member_id === teacher.userId)
    expect(teacherSide.last_read_message_id).toBe(messages[1]?.id)
    // Answering reads the thread up to one's answer.
    const answer = await post(teacher, id, 'Réponse')
    expect((await listed(teacher)).unread_count).toBe(0)
    expect(await listed(student)).toMatchObject({ unread_count: 1, last_message: { id: answer.id } })
    const unknown = await teacher.client.post(`/api/conversations/${id}/read`, { up_to: 'no-such-message' })
    expect(unknown.status).toBe(404)
  })

  it("edits and deletes one's own messages only, and keeps a deleted one in the thread", async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const mine = await post(student, id, 'Premier jet')
    const notMine = await teacher.client.patch(`/api/messages/${mine.id}`, { body: 'Réécrit' })
    expect(notMine.status).toBe(403)
    expect(notMine.body.error.code).toBe('not_author')
    expect((await teacher.client.delete(`/api/messages/${mine.id}`)).status).toBe(403)
    const edited = await student.client.patch(`/api/messages/${mine.id}`, { body: 'Version corrigée' })
    expect(edited.status).toBe(200)
    expect(edited.body).toMatchObject({ body: 'Version corrigée', state: 'edited' })
    const deleted = await student.client.delete(`/api/messages/${mine.id}`)
    expect(deleted.status).toBe(200)
    expect(deleted.body).toMatchObject({ id: mine.id, body: null, state: 'deleted' })
    const thread = await teacher.client.get(`/api/conversations/${id}/messages`)
    expect(thread.body.data).toEqual([expect.objectContaining({ id: mine.id, body: null, state: 'deleted' })])
    expect((await student.client.patch(`/api/messages/${mine.id}`, { body: 'Encore' })).status).toBe(409)
  })

  it('refuses an oversize or empty body', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const big = await student.client.post(`/api/conversations/${id}/messages`, {
      client_id: 'big',
      body: 'x'.repeat(10_001),
    })
    expect(big.status).toBe(400)
    expect(big.body.error.code).toBe('validation_failed')
    const empty = await student.client.post(`/api/conversations/${id}/messages`, {
      client_id: 'empty',
      body: '  ',
    })
    expect(empty.status).toBe(400)
    expect((await teacher.client.get(`/api/conversations/${id}/messages`)).body.data).toEqual([])
  })

  it('limits how many messages a member posts in a minute, with the seconds to wait', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const { messages } = DEFAULT_MESSAGE_RATE_LIMIT
    for (let i = 0; i < messages; i++) await post(student, id, `Flood ${i}`)
    t.clock.advance(10_000)
    const refused = await student.client.post(`/api/conversations/${id}/messages`, {
      client_id: 'one-more',
      body: 'Encore',
    })
    expect(refused.status).toBe(429)
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', details: { retry_after: 50 } })
    // Retrying a message already stored is no new message: it still answers.
    const stored = await student.client.post(`/api/conversations/${id}/messages`, {
      client_id: `c-${posted - 1}`,
      body: 'x',
    })
    expect(stored.status).toBe(200)
    // Another member is not held back.
    await post(teacher, id, 'Je suis là')
    t.clock.advance(51_000)
    await post(student, id, 'Merci')
    expect((await teacher.client.get(`/api/conversations/${id}/messages?limit=100`)).body.data).toHaveLength(
      messages + 2,
    )
  })

  it('exports and erases a member’s messages, keeping the thread for the others', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    await post(student, id, 'Mon secret')
    await post(teacher, id, 'Ma réponse')
    const data = await student.client.get('/api/me/data')
    expect(data.status).toBe(200)
    expect(JSON.stringify(data.body)).toContain('Mon secret')
    const erased = await owner.client.post(`/api/members/${student.userId}/erase`, {
      confirm_email: student.email,
    })
    expect(erased.status, JSON.stringify(erased.body)).toBe(200)
    const thread = await teacher.client.get(`/api/conversations/${id}/messages`)
    expect(thread.body.data.map((m: { body: string | null }) => m.body)).toEqual(['Ma réponse', null])
    const authors = thread.body.data.map((m: { author_id: string }) => m.author_id)
    expect(authors).not.toContain(student.userId)
    const rows = await t.database.db.selectFrom('conversation_participants').select('user_id').execute()
    expect(rows.map((r) => r.user_id)).not.toContain(student.userId)
    const direct = await t.database.db.selectFrom('conversations').select('direct_key').execute()
    expect(direct.some((r) => r.direct_key?.includes(student.userId))).toBe(false)
  })
})
