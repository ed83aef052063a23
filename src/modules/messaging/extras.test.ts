import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember, signIn } from '../../../test/helpers/factories.ts'
import type { Role } from '../../core/http/roles.ts'
import { runJobByHand } from '../../core/jobs/commands.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import { addMember } from '../identity/index.ts'
import { MAX_UNSENT_UPLOADS } from './attachments.ts'
import type { NotifyInput } from './ports.ts'
import { publishedCourse } from './test-support.ts'

// Attachments, reports, members who leave, and the who-may-write rule checked again on every post.

const UPLOAD_MAX_BYTES = 65_536
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(100).fill(7)])
const pdf = new TextEncoder().encode('%PDF-1.4\n% a small document\n')

function form(bytes: Uint8Array | string, name: string, type = 'application/octet-stream') {
  const data = new FormData()
  data.set('file', new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], { type }), name)
  return data
}

describe.each(testDialects())('messaging extras on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let owner: Member
  const notified: { orgId: string; input: NotifyInput }[] = []

  type Member = Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES) } })
    // Seen by the tests, then passed on to the notifications module as the app wires it.
    const notify = t.messaging.notify
    t.messaging.notify = async (org, input) => {
      notified.push({ orgId: org, input })
      await notify?.(org, input)
    }
    orgId = (await createOrg(t)).id
    owner = await signedInMember(t, orgId, 'owner')
  })
  afterAll(() => t.close())

  const member = (role: Role, org = orgId) => signedInMember(t, org, role)

  async function conversationBetween(a: Member, b: Member): Promise<string> {
    const res = await a.client.post('/api/conversations', { member_id: b.userId })
    expect([200, 201], JSON.stringify(res.body)).toContain(res.status)
    return res.body.id
  }

  let sent = 0
  const send = (from: Member, conversationId: string, body: Record<string, unknown>) =>
    from.client.post(`/api/conversations/${conversationId}/messages`, { client_id: `x-${sent++}`, ...body })

  async function post(from: Member, conversationId: string, body = 'Bonjour') {
    const res = await send(from, conversationId, { body })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as { id: string }
  }

  async function upload(from: Member, conversationId: string, file = form(pdf, 'exercice 3.pdf')) {
    return from.client.post(`/api/conversations/${conversationId}/attachments`, file)
  }

  async function uploaded(from: Member, conversationId: string, file?: FormData) {
    const res = await upload(from, conversationId, file)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as { id: string; url: string; name: string; type: string; size: number }
  }

  async function thread(who: Member, conversationId: string) {
    const res = await who.client.get(`/api/conversations/${conversationId}/messages?limit=100`)
    expect(res.status).toBe(200)
    return res.body.data as { id: string; body: string | null; attachments: { id: string }[] }[]
  }

  const courseOf = (instructor: Member, student: Member) =>
    publishedCourse(t, orgId, owner.client, instructor, student)

  it('attaches an uploaded file to a message, downloaded by the participants of the conversation only', async () => {
    const [teacher, student, outsider] = [
      await member('instructor'),
      await member('student'),
      await member('instructor'),
    ]
    const id = await conversationBetween(teacher, student)
    const file = await uploaded(student, id)
    expect(file).toMatchObject({ name: 'exercice 3.pdf', type: 'application/pdf', size: pdf.byteLength })
    // Not sent yet: the uploader alone sees it.
    expect((await student.client.get(file.url)).status).toBe(200)
    expect((await teacher.client.get(file.url)).status).toBe(404)
    const message = await send(student, id, { body: '', attachment_ids: [file.id] })
    expect(message.status, JSON.stringify(message.body)).toBe(201)
    expect(message.body).toMatchObject({ body: '', state: 'sent', attachments: [file] })
    const download = await teacher.client.get(file.url)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('application/pdf')
    expect(download.headers.get('content-disposition')).toContain('attachment;')
    expect(download.headers.get('content-security-policy')).toContain('sandbox')
    expect(download.body).toBe(new TextDecoder().decode(pdf))
    expect((await thread(teacher, id))[0]?.attachments).toEqual([file])
    const listed = (await teacher.client.get('/api/conversations')).body.data.find(
      (c: { id: string }) => c.id === id,
    )
    expect(listed.last_message.attachments).toEqual([file])
    // Another member of the school, and a member of another school, get 404.
    expect((await outsider.client.get(file.url)).status).toBe(404)
    const stranger = await member('owner', (await createOrg(t)).id)
    expect((await stranger.client.get(file.url)).status).toBe(404)
    // Under another conversation's address too.
    const other = await conversationBetween(outsider, teacher)
    expect((await teacher.client.get(`/api/conversations/${other}/attachments/${file.id}`)).status).toBe(404)
    // Sent once: it cannot be sent again with another message.
    const again = await send(student, id, { body: 'Encore', attachment_ids: [file.id] })
    expect(again.status).toBe(400)
    expect(again.body.error.code).toBe('invalid_attachment')
    // Retrying the stored message answers it with its attachment.
    const retried = await student.client.post(`/api/conversations/${id}/messages`, {
      client_id: message.body.client_id,
      body: '',
    })
    expect(retried.status).toBe(200)
    expect(retried.body.attachments).toEqual([file])
  })

  it('judges a file by its content, and refuses empty, oversize and unknown files', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const html = await upload(
      student,
      id,
      form('<html><script>alert(1)</script></html>', 'photo.png', 'image/png'),
    )
    expect(html.status).toBe(415)
    expect(html.body.error.code).toBe('unsupported_file_type')
    const binaryText = await upload(student, id, form('abc\u0000def', 'notes.txt', 'text/plain'))
    expect(binaryText.status).toBe(415)
    const text = await uploaded(student, id, form('Réponses : 1, 2, 3\n', 'notes.txt', 'text/plain'))
    expect(text.type).toBe('text/plain')
    // The PNG signature makes a PNG, whatever the name and the declared type say.
    expect((await uploaded(student, id, form(png, 'scan', 'text/html'))).type).toBe('image/png')
    const empty = await upload(student, id, form(new Uint8Array(0), 'vide.pdf'))
    expect(empty.status).toBe(400)
    expect(empty.body.error.code).toBe('empty_file')
    const big = await upload(student, id, form(new Uint8Array(UPLOAD_MAX_BYTES + 1).fill(0x25), 'gros.pdf'))
    expect(big.status).toBe(413)
    const none = new FormData()
    none.set('title', 'sans fichier')
    expect((await student.client.post(`/api/conversations/${id}/attachments`, none)).status).toBe(400)
    const json = await student.client.post(`/api/conversations/${id}/attachments`, {})
    expect(json.status).toBe(415)
    expect(json.body.error.code).toBe('unsupported_media_type')
    // Someone who does not take part in the conversation uploads nothing there.
    expect((await upload(await member('student'), id)).status).toBe(404)
    expect(
      await t.database.db
        .selectFrom('message_attachments')
        .select('id')
        .where('conversation_id', '=', id)
        .execute(),
    ).toHaveLength(2)
  })

  it('refuses forged attachment ids and writes nothing of the message', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const strangerOrg = (await createOrg(t)).id
    const [strangerTeacher, stranger] = [
      await member('instructor', strangerOrg),
      await member('student', strangerOrg),
    ]
    const forged = [
      (await uploaded(stranger, await conversationBetween(strangerTeacher, stranger))).id, // another school's
      (await uploaded(student, await conversationBetween(student, owner))).id, // another conversation's
      (await uploaded(teacher, id)).id, // another member's upload
      'no-such-attachment',
    ]
    for (const attachmentId of forged) {
      const res = await send(student, id, { body: 'Voici', attachment_ids: [attachmentId] })
      expect(res.status, attachmentId).toBe(400)
      expect(res.body.error.code).toBe('invalid_attachment')
      expect(res.body.error.details.attachment_ids).toEqual([attachmentId])
    }
    const good = await uploaded(student, id)
    const mixed = await send(student, id, { body: 'Voici', attachment_ids: [good.id, forged[2]] })
    expect(mixed.status).toBe(400)
    expect(await thread(teacher, id)).toEqual([])
    const listed = (await teacher.client.get('/api/conversations')).body.data.find(
      (c: { id: string }) => c.id === id,
    )
    expect(listed.last_message).toBeNull()
    // The good file was not taken by the refused message: it goes with the next one.
    const ok = await send(student, id, { body: 'Voici', attachment_ids: [good.id] })
    expect(ok.status).toBe(201)
    expect((await thread(teacher, id)).map((m) => m.attachments.map((a) => a.id))).toEqual([[good.id]])
    const tooMany = await send(student, id, { body: 'x', attachment_ids: ['a', 'b', 'c', 'd', 'e', 'f'] })
    expect(tooMany.status).toBe(400)
    expect((await send(student, id, { body: '   ' })).body.error.code).toBe('empty_message')
  })

  it('holds a member to a few unsent uploads, and deletes those never sent after a day', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const first = await uploaded(student, id)
    for (let i = 1; i < MAX_UNSENT_UPLOADS; i++) await uploaded(student, id)
    const refused = await upload(student, id)
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('too_many_unsent_uploads')
    // Sending one makes room for another.
    expect((await send(student, id, { body: 'Un', attachment_ids: [first.id] })).status).toBe(201)
    const kept = await uploaded(student, id)
    // More than a day later the unsent ones are gone, rows and files; the sent one stays.
    const job = t.jobs.find('messaging.prune-unsent-uploads') as ScheduledJob
    const runAt = async (at: Date) => {
      const runs = await runJobByHand(
        { db: t.database.db, clock: t.clock, logger: pino({ level: 'silent' }), registry: t.jobs },
        job,
        at,
      )
      expect(runs.map((r) => r.result.error)).toEqual([null])
    }
    // The job runs at 03:41 UTC: the next run is less than a day after the upload, the one after is more.
    const now = t.clock.now().getTime()
    await runAt(new Date(now + 24 * 3_600_000))
    expect((await student.client.get(kept.url)).status).toBe(200)
    await runAt(new Date(now + 48 * 3_600_000))
    expect((await student.client.get(kept.url)).status).toBe(404)
    expect(await t.messaging.files.get(`${orgId}/${kept.id}`)).toBeNull()
    expect((await teacher.client.get(first.url)).status).toBe(200)
    expect((await uploaded(student, id)).id).toBeTruthy()
  })

  it("deletes a message's attachments with it", async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const file = await uploaded(student, id)
    const message = await send(student, id, { body: 'Le fichier', attachment_ids: [file.id] })
    const edited = await student.client.patch(`/api/messages/${message.body.id}`, { body: 'Le bon fichier' })
    expect(edited.body).toMatchObject({ state: 'edited', attachments: [file] })
    const deleted = await student.client.delete(`/api/messages/${message.body.id}`)
    expect(deleted.body).toMatchObject({ state: 'deleted', attachments: [] })
    expect((await teacher.client.get(file.url)).status).toBe(404)
    expect((await student.client.get(file.url)).status).toBe(404)
    const rows = await t.database.db
      .selectFrom('message_attachments')
      .select('id')
      .where('id', '=', file.id)
      .execute()
    expect(rows).toEqual([])
    expect(await t.messaging.files.get(`${orgId}/${file.id}`)).toBeNull()
  })

  it('reports a message to the owners and administrators once per reporter', async () => {
    const [teacher, student, admin] = [
      await member('instructor'),
      await member('student'),
      await member('admin'),
    ]
    const id = await conversationBetween(teacher, student)
    const file = await uploaded(teacher, id, form(png, 'capture.png'))
    const sent = await send(teacher, id, { body: 'Un message déplacé', attachment_ids: [file.id] })
    const message = sent.body as { id: string }
    const path = `/api/conversations/${id}/messages/${message.id}/report`
    // Moderators see the files of reported messages only.
    expect((await admin.client.get(file.url)).status).toBe(404)
    const before = notified.length
    const first = await student.client.post(path, { reason: 'Propos déplacés' })
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    expect(first.body).toMatchObject({
      message_id: message.id,
      reporter_id: student.userId,
      reason: 'Propos déplacés',
    })
    t.clock.advance(1000)
    const again = await student.client.post(path, { reason: 'Encore' })
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    const reports = notified.slice(before)
    expect(reports.map((n) => n.input.key)).toEqual([
      `message.reported:${message.id}:${student.userId}`,
      `message.reported:${message.id}:${student.userId}`,
    ])
    expect(reports[0]?.orgId).toBe(orgId)
    expect(reports[0]?.input).toMatchObject({
      category: 'messages',
      kind: 'message.reported',
      params: { reporter: 'Test student', message_id: message.id },
      about: student.userId,
    })
    expect(reports[0]?.input.recipients).toEqual(expect.arrayContaining([owner.userId, admin.userId]))
    expect(reports[0]?.input.recipients).not.toContain(teacher.userId)
    expect(reports[0]?.input.recipients).not.toContain(student.userId)
    // Once in the administrator's inbox, however often the student reports it.
    const inbox = (await admin.client.get('/api/me/notifications')).body.data as {
      kind: string
      title: string
    }[]
    expect(inbox.filter((n) => n.kind === 'message.reported')).toEqual([
      expect.objectContaining({ title: 'Message signalé par Test student' }),
    ])
    // Not one's own message, not a deleted one, not from outside the conversation.
    const mine = await post(student, id, 'Le mien')
    expect(
      (await student.client.post(`/api/conversations/${id}/messages/${mine.id}/report`, { reason: 'x' })).body
        .error.code,
    ).toBe('own_message')
    await teacher.client.delete(`/api/messages/${(await post(teacher, id, 'Effacé')).id}`)
    const gone = (await thread(student, id)).find((m) => m.body === null)
    expect(
      (await student.client.post(`/api/conversations/${id}/messages/${gone?.id}/report`, { reason: 'x' }))
        .status,
    ).toBe(409)
    expect((await (await member('student')).client.post(path, { reason: 'x' })).status).toBe(404)
    const stranger = await member('owner', (await createOrg(t)).id)
    expect((await stranger.client.post(path, { reason: 'x' })).status).toBe(404)
    expect((await student.client.post(path, { reason: '  ' })).status).toBe(400)
    // Owners and administrators list the reports with the message; others may not.
    const list = await admin.client.get('/api/message-reports')
    expect(list.status).toBe(200)
    expect(list.body.data[0]).toMatchObject({
      message_id: message.id,
      reason: 'Propos déplacés',
      reporter_name: 'Test student',
      author_name: 'Test instructor',
      message: { id: message.id, body: 'Un message déplacé' },
    })
    expect(list.body.data[0].message.attachments).toEqual([file])
    expect((await admin.client.get(file.url)).status).toBe(200)
    expect((await (await member('instructor')).client.get(file.url)).status).toBe(404)
    expect((await stranger.client.get(file.url)).status).toBe(404)
    expect((await teacher.client.get('/api/message-reports')).status).toBe(403)
    expect((await student.client.get('/api/message-reports')).status).toBe(403)
    expect((await stranger.client.get('/api/message-reports')).body.data).toEqual([])
  })

  it('pages the reports newest first', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const message = await post(teacher, id, `Message ${i}`)
      expect(
        (
          await student.client.post(`/api/conversations/${id}/messages/${message.id}/report`, {
            reason: `R${i}`,
          })
        ).status,
      ).toBe(201)
      ids.push(message.id)
      t.clock.advance(1000)
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `?limit=1&cursor=${cursor}` : '?limit=1'
      const page = await owner.client.get(`/api/message-reports${query}`)
      expect(page.status).toBe(200)
      seen.push(...page.body.data.map((r: { message_id: string }) => r.message_id))
      cursor = page.body.next_cursor
    } while (cursor)
    expect(seen.slice(0, 3)).toEqual([...ids].reverse())
    expect((await owner.client.get('/api/message-reports?cursor=nonsense')).status).toBe(400)
  })

  it('shuts a member out of a group conversation they left, and keeps it for the others', async () => {
    const [teacher, a, b] = [await member('instructor'), await member('student'), await member('student')]
    const group = await teacher.client.post('/api/conversations', { member_ids: [a.userId, b.userId] })
    const id = group.body.id as string
    await post(a, id, 'Avant de partir')
    expect((await a.client.post(`/api/conversations/${id}/leave`)).status).toBe(204)
    expect((await a.client.get(`/api/conversations/${id}/messages`)).status).toBe(404)
    expect((await send(a, id, { body: 'Je reviens' })).status).toBe(404)
    expect(
      (await a.client.get('/api/conversations')).body.data.map((c: { id: string }) => c.id),
    ).not.toContain(id)
    expect((await a.client.post(`/api/conversations/${id}/leave`)).status).toBe(404)
    await post(b, id, 'Toujours là')
    const seen = (await b.client.get('/api/conversations')).body.data.find((c: { id: string }) => c.id === id)
    const left = seen.participants.find((p: { member_id: string }) => p.member_id === a.userId)
    expect(left.left_at).not.toBeNull()
    expect((await thread(teacher, id)).map((m) => m.body)).toEqual(['Toujours là', 'Avant de partir'])
    // A direct conversation is not left.
    const direct = await conversationBetween(teacher, b)
    const refused = await b.client.post(`/api/conversations/${direct}/leave`)
    expect(refused.status).toBe(400)
    expect(refused.body.error.code).toBe('direct_conversation')
  })

  it('takes a member removed from the school out of their conversations: nobody writes to them', async () => {
    const [teacher, student, other] = [
      await member('instructor'),
      await member('student'),
      await member('student'),
    ]
    const direct = await conversationBetween(teacher, student)
    const group = (
      await teacher.client.post('/api/conversations', { member_ids: [student.userId, other.userId] })
    ).body.id
    await post(student, direct, 'Au revoir')
    expect((await owner.client.delete(`/api/members/${student.userId}`)).status).toBeLessThan(300)
    const refused = await send(teacher, direct, { body: 'Tu es là ?' })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('member_left')
    // The group goes on without them.
    await post(other, group, 'On continue')
    const seen = (await teacher.client.get('/api/conversations')).body.data
    for (const conversationId of [direct, group]) {
      const conversation = seen.find((c: { id: string }) => c.id === conversationId)
      const gone = conversation.participants.find(
        (p: { member_id: string }) => p.member_id === student.userId,
      )
      expect(gone.left_at).not.toBeNull()
    }
    expect((await thread(teacher, direct)).map((m) => m.body)).toEqual(['Au revoir'])
    // Back in the school: opening the direct conversation again lets both take part again.
    await addMember(t.identity, orgId, 'cli', { email: student.email, name: 'Test student', role: 'student' })
    const reopened = await teacher.client.post('/api/conversations', { member_id: student.userId })
    expect(reopened.status).toBe(200)
    expect(reopened.body.id).toBe(direct)
    expect(reopened.body.participants.every((p: { left_at: string | null }) => p.left_at === null)).toBe(true)
    await post(teacher, direct, 'Bon retour')
    const back = await signIn(t, student.email)
    const seenAgain = await back.get(`/api/conversations/${direct}/messages`)
    expect(seenAgain.body.data.map((m: { body: string }) => m.body)).toEqual(['Bon retour', 'Au revoir'])
  })

  it('checks who may write on every post: a student no longer enrolled stops writing to the instructor', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const courseId = await courseOf(teacher, student)
    const id = await conversationBetween(student, teacher)
    await post(student, id, 'Une question')
    const unenrolled = await owner.client.patch(`/api/lms/courses/${courseId}`, { student_ids: [] })
    expect(unenrolled.status, JSON.stringify(unenrolled.body)).toBe(200)
    const refused = await send(student, id, { body: 'Une autre question' })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('not_your_instructor')
    // The instructor, who may write to any student, still does.
    await post(teacher, id, 'Réponse')
    // Someone answers the member who opened the conversation: support answers a student.
    const support = await member('support')
    const asked = await conversationBetween(student, support)
    await post(support, asked, 'Bonjour, que puis-je faire ?')
    // But support does not open one with a student.
    const other = await member('student')
    expect((await support.client.post('/api/conversations', { member_id: other.userId })).status).toBe(403)
  })

  it('answers bad input with a clear 4xx', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const nul = await send(student, id, { body: 'abc\u0000def' })
    expect(nul.status).toBe(400)
    const huge = await student.client.post(`/api/conversations/${id}/messages`, {
      client_id: 'huge',
      body: 'x'.repeat(2 * 1024 * 1024),
    })
    expect(huge.status).toBe(413)
    expect((await send(student, 'no-such-conversation', { body: 'x' })).status).toBe(404)
    expect((await upload(student, 'no-such-conversation')).status).toBe(404)
    const badReport = await student.client.post(`/api/conversations/${id}/messages/no-such-message/report`, {
      reason: 'x',
    })
    expect(badReport.status).toBe(404)
    expect(await thread(teacher, id)).toEqual([])
  })

  it('exports and erases the files a member attached and the reports they made', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const id = await conversationBetween(teacher, student)
    const file = await uploaded(student, id, form(pdf, 'mon-devoir.pdf'))
    await send(student, id, { body: 'Mon devoir', attachment_ids: [file.id] })
    const teacherMessage = await post(teacher, id, 'Reçu')
    await student.client.post(`/api/conversations/${id}/messages/${teacherMessage.id}/report`, {
      reason: 'Mon motif',
    })
    const data = await student.client.get('/api/me/data')
    expect(data.status).toBe(200)
    expect(JSON.stringify(data.body)).toContain('mon-devoir.pdf')
    expect(JSON.stringify(data.body)).toContain('Mon motif')
    const erased = await owner.client.post(`/api/members/${student.userId}/erase`, {
      confirm_email: student.email,
    })
    expect(erased.status, JSON.stringify(erased.body)).toBe(200)
    expect((await teacher.client.get(file.url)).status).toBe(404)
    expect(await t.messaging.files.get(`${orgId}/${file.id}`)).toBeNull()
    const reports = await t.database.db
      .selectFrom('message_reports')
      .selectAll()
      .where('message_id', '=', teacherMessage.id)
      .execute()
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ reason: null })
    expect(reports[0]?.reporter_id).not.toBe(student.userId)
  })
})
