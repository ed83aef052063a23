import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import type { Role } from '../../core/http/roles.ts'
import { sendDigests } from './digest.ts'
import { markGroupRead, type NotificationsDeps, type NotifyInput, notify } from './service.ts'

describe.each(testDialects())('notifications on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let deps: NotificationsDeps
  type Member = Awaited<ReturnType<typeof signedInMember>>
  let admin: Member
  let online: Set<string>
  let pushed: { userIds: string[]; type: string; data: { kind: string; title: string } }[]

  beforeAll(async () => {
    t = await startTestApp(dialect, { env: { MESSAGE_EMAIL_DELAY_MINUTES: '10' } })
    orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
    online = new Set()
    pushed = []
    deps = {
      ...t.notifications,
      realtime: {
        deliver: async (_org, userIds, event) => {
          pushed.push({ userIds, ...(event as { type: string; data: { kind: string; title: string } }) })
        },
        isOnline: async (_org, userId) => online.has(userId),
      },
    }
  })
  beforeEach(() => {
    online.clear()
    pushed.length = 0
  })
  afterAll(() => t.close())

  const member = (role: Role) => signedInMember(t, orgId, role)

  function message(to: Member, conversation: string, n: number, sender = 'Paul Durand'): NotifyInput {
    return {
      recipients: [to.userId],
      category: 'messages',
      kind: 'message.received',
      key: `message:${conversation}:${n}`,
      group: conversation,
      params: { sender, excerpt: `Message ${n}` },
      link: `/messages/${conversation}`,
    }
  }

  function badge(to: Member, key: string, name: string): NotifyInput {
    return {
      recipients: [to.userId],
      category: 'achievements',
      kind: 'badge.awarded',
      key,
      params: { badge: name },
      link: '/rewards',
    }
  }

  async function mailsTo(address: string) {
    return t.database.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', address)
      .orderBy('created_at')
      .execute()
  }

  async function inbox(m: Member, query = '') {
    const res = await m.client.get(`/api/me/notifications${query}`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body as {
      data: { id: string; kind: string; title: string; read_at: string | null; params: object }[]
      next_cursor: string | null
      unread_count: number
    }
  }

  it('puts a notification in the inbox once per key, titled in the reader’s language, and pushes it live', async () => {
    const student = await member('student')
    const badge: NotifyInput = {
      recipients: [student.userId, 'not-a-member'],
      category: 'achievements',
      kind: 'badge.awarded',
      key: 'badge:award-1',
      params: { badge: 'Première étape' },
      link: '/rewards',
    }
    online.add(student.userId)
    await notify(deps, orgId, badge)
    await notify(deps, orgId, badge)
    // A new message arrives live by itself (message.created): its notification is not pushed.
    await notify(deps, orgId, message(student, 'c-live', 1))
    online.delete(student.userId)
    const page = await inbox(student)
    expect(page.unread_count).toBe(2)
    const listed = page.data.find((n) => n.kind === 'badge.awarded')
    expect(listed).toMatchObject({ title: 'Nouveau badge : Première étape', read_at: null, link: '/rewards' })
    expect(pushed).toEqual([{ userIds: [student.userId], type: 'notification.created', data: listed }])
    // Achievements stay in the app by default: no e-mail.
    expect(await mailsTo(student.email)).toEqual([])
  })

  it('lists unread first then newest, by cursor pages, and marks one or all read', async () => {
    const student = await member('student')
    for (let n = 1; n <= 5; n++) {
      t.clock.advance(1000)
      await notify(deps, orgId, { ...message(student, 'c-list', n), category: 'reminders' })
    }
    const [oldest] = (await inbox(student, '?limit=5')).data.slice(-1)
    const read = await student.client.post(`/api/me/notifications/${oldest?.id}/read`)
    expect(read.status).toBe(200)
    expect(read.body.read_at).not.toBeNull()
    const first = await inbox(student, '?limit=2')
    expect(first.unread_count).toBe(4)
    const second = await inbox(student, `?limit=2&cursor=${first.next_cursor}`)
    const third = await inbox(student, `?limit=2&cursor=${second.next_cursor}`)
    expect(third.next_cursor).toBeNull()
    const excerpts = [...first.data, ...second.data, ...third.data].map(
      (n) => (n.params as { excerpt: string }).excerpt,
    )
    expect(excerpts).toEqual(['Message 5', 'Message 4', 'Message 3', 'Message 2', 'Message 1'])
    expect((await student.client.get('/api/me/notifications?cursor=nope')).status).toBe(400)
    expect((await student.client.post('/api/me/notifications/unknown/read')).status).toBe(404)
    const all = await student.client.post('/api/me/notifications/read-all')
    expect(all.body).toEqual({ marked: 4, unread_count: 0 })
  })

  it('keeps a member’s notifications from other members', async () => {
    const [a, b] = [await member('student'), await member('student')]
    await notify(deps, orgId, message(a, 'c-private', 1))
    const [mine] = (await inbox(a)).data
    expect((await b.client.post(`/api/me/notifications/${mine?.id}/read`)).status).toBe(404)
    expect((await inbox(b)).data).toEqual([])
  })

  it('answers default preferences, changes some, refuses unknown ones, and follows them', async () => {
    const student = await member('student')
    const initial = await student.client.get('/api/me/notification-preferences')
    expect(initial.body).toEqual({
      messages: 'email',
      courses: 'email',
      reminders: 'in_app',
      achievements: 'in_app',
      billing: 'email',
    })
    const changed = await student.client.put('/api/me/notification-preferences', {
      achievements: 'email',
      courses: 'off',
    })
    expect(changed.body).toMatchObject({ achievements: 'email', courses: 'off', messages: 'email' })
    expect((await student.client.put('/api/me/notification-preferences', { courses: 'pigeon' })).status).toBe(
      400,
    )
    expect((await student.client.put('/api/me/notification-preferences', { fax: 'off' })).status).toBe(400)

    await notify(deps, orgId, {
      recipients: [student.userId],
      category: 'courses',
      kind: 'course.assigned',
      key: 'course:x',
      params: { course: 'Chimie' },
      link: '/courses/x',
    })
    expect((await inbox(student)).data).toEqual([])
    await notify(deps, orgId, badge(student, 'badge:y', 'Assidu'))
    const [mail] = await mailsTo(student.email)
    expect(mail).toMatchObject({
      template: 'badge.awarded',
      subject: 'Nouveau badge : Assidu',
      status: 'not_sent',
    })
    expect((await inbox(student)).data).toHaveLength(1)
  })

  it('e-mails one digest per conversation left unread past the delay, and none for one read in time', async () => {
    const [student, other] = [await member('student'), await member('student')]
    await notify(deps, orgId, message(student, 'c-unread', 1, 'Paul Durand'))
    t.clock.advance(1000)
    await notify(deps, orgId, message(student, 'c-unread', 2, 'Marie Curie'))
    await notify(deps, orgId, message(student, 'c-read', 1))
    await notify(deps, orgId, message(other, 'c-unread', 1))
    t.clock.advance(9 * 60_000)
    await sendDigests(deps)
    expect(await mailsTo(student.email)).toEqual([])

    await markGroupRead(deps, orgId, student.userId, 'c-read')
    online.add(other.userId)
    t.clock.advance(60_000)
    expect(await sendDigests(deps)).toMatchObject({ postponed: 1 })
    expect(await sendDigests(deps)).toMatchObject({ emailed: 0, postponed: 0 })
    const mails = await mailsTo(student.email)
    expect(mails).toHaveLength(1)
    expect(mails[0]).toMatchObject({
      template: 'message.digest',
      subject: '2 message(s) non lu(s) de Paul Durand, Marie Curie',
      locale: 'fr',
    })
    expect(mails[0]?.text_body).toContain('« Message 2 »')
    expect(mails[0]?.text_body).toContain('/messages/c-unread')
    // The online member was seen live; offline after another delay, they get the e-mail.
    online.clear()
    t.clock.advance(10 * 60_000)
    expect(await sendDigests(deps)).toMatchObject({ emailed: 1, postponed: 0 })
    expect(await mailsTo(other.email)).toHaveLength(1)
  })

  it('e-mails a digest once when two nodes run the digest job at the same time', async () => {
    const students = [await member('student'), await member('student'), await member('student')]
    for (const [i, student] of students.entries()) {
      await notify(deps, orgId, message(student, `c-race-${i}`, 1))
      await notify(deps, orgId, message(student, `c-race-${i}`, 2))
    }
    t.clock.advance(10 * 60_000)
    const reports = await Promise.all([sendDigests(deps), sendDigests(deps), sendDigests(deps)])
    expect(reports.reduce((n, r) => n + r.emailed, 0)).toBe(3)
    for (const student of students) expect(await mailsTo(student.email)).toHaveLength(1)
  })

  it('sends no digest to a member who turned message e-mails off after being notified', async () => {
    const student = await member('student')
    await notify(deps, orgId, message(student, 'c-pref', 1))
    await student.client.put('/api/me/notification-preferences', { messages: 'in_app' })
    t.clock.advance(10 * 60_000)
    await sendDigests(deps)
    expect(await mailsTo(student.email)).toEqual([])
  })

  it('shows the school’s mail log to its administrators only, e-mails not sent without an SMTP server', async () => {
    const student = await member('student')
    await notify(deps, orgId, {
      recipients: [student.userId],
      category: 'billing',
      kind: 'invoice.ready',
      key: 'invoice:1',
      params: { amount: '12 €' },
      link: '/billing',
    })
    const log = await admin.client.get('/api/admin/mail-log?status=not_sent&limit=100')
    expect(log.status).toBe(200)
    expect(log.body.smtp_configured).toBe(false)
    const entry = log.body.data.find((m: { to: string }) => m.to === student.email)
    expect(entry).toMatchObject({
      template: 'notification',
      status: 'not_sent',
      last_error: expect.stringMatching(/SMTP_URL/),
    })
    expect(entry.text).toContain('/billing')
    expect((await student.client.get('/api/admin/mail-log')).status).toBe(403)
    const otherSchool = await createOrg(t)
    const otherAdmin = await signedInMember(t, otherSchool.id, 'admin')
    expect((await otherAdmin.client.get('/api/admin/mail-log')).body.data).toEqual([])
    expect((await admin.client.get('/api/admin/mail-log?cursor=bad')).status).toBe(400)
    expect((await admin.client.get('/api/admin/mail-log?status=lost')).status).toBe(400)
  })

  it('erases a person’s notifications, those about them, their preferences and their e-mails', async () => {
    const [student, teacher] = [await member('student'), await member('instructor')]
    await student.client.put('/api/me/notification-preferences', { achievements: 'email' })
    await notify(deps, orgId, badge(student, 'badge:erase', 'Assidu'))
    await notify(deps, orgId, { ...message(teacher, 'c-erase', 1, 'Test student'), about: student.userId })
    const exported = await admin.client.get(`/api/members/${student.userId}/data`)
    expect(exported.status, JSON.stringify(exported.body)).toBe(200)
    expect(JSON.stringify(exported.body)).toContain('Assidu')
    const erased = await admin.client.post(`/api/members/${student.userId}/erase`, {
      confirm_email: student.email,
    })
    expect(erased.status, JSON.stringify(erased.body)).toBe(200)
    const left = await t.database.db
      .selectFrom('notifications')
      .select('id')
      .where((eb) => eb.or([eb('user_id', '=', student.userId), eb('about_id', '=', student.userId)]))
      .execute()
    expect(left).toEqual([])
    expect(await mailsTo(student.email)).toEqual([])
    expect((await inbox(teacher)).data).toEqual([])
  })
})
