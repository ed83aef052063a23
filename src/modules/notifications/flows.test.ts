import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { completeSteps, createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { typicalPayload } from '../../../test/helpers/signals.ts'
import { startSmtpServer, type TestSmtpServer } from '../../../test/helpers/smtp.ts'
import { TestSocket } from '../../../test/helpers/sockets.ts'
import { waitUntil } from '../../../test/helpers/wait.ts'
import { runProjector } from '../../core/events/projector.ts'
import { appendSignals } from '../../core/events/signal-log.ts'
import type { Role } from '../../core/http/roles.ts'
import { isScheduled } from '../../core/jobs/job.ts'
import { profilesOfUser } from '../identity/index.ts'
import { trackingEvents } from '../tracking/index.ts'
import { sendDigests } from './digest.ts'
import { deliverMail } from './mail/outbox.ts'

// The flows that notify, end to end through the app's wiring (src/app.ts): messages, courses, badges and
// students at risk, with e-mails delivered to a real SMTP server on loopback.

describe.each(testDialects())('what notifies on %s', (dialect) => {
  let t: TestApp
  let smtp: TestSmtpServer
  let orgId: string
  type Member = Awaited<ReturnType<typeof signedInMember>>
  let owner: Member

  beforeAll(async () => {
    smtp = await startSmtpServer()
    t = await startTestApp(dialect, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'Sillon <ecole@example.org>' } })
    orgId = (await createOrg(t)).id
    owner = await signedInMember(t, orgId, 'owner')
  })
  afterAll(async () => {
    await t.close()
    await smtp.close()
  })

  const member = (role: Role) => signedInMember(t, orgId, role)

  async function inbox(m: Member) {
    const res = await m.client.get('/api/me/notifications')
    expect(res.status).toBe(200)
    return res.body.data as { kind: string; title: string; read_at: string | null; link: string }[]
  }

  const mailsTo = (address: string) => smtp.received.filter((m) => m.envelopeTo.includes(address))

  let posted = 0
  async function post(from: Member, conversationId: string, body: string) {
    const res = await from.client.post(`/api/conversations/${conversationId}/messages`, {
      client_id: `flow-${posted++}`,
      body,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.id as string
  }

  it('notifies the other participants of a message, and e-mails a digest only of what stays unread', async () => {
    const [teacher, reader, away] = [
      await member('instructor'),
      await member('student'),
      await member('student'),
    ]
    const toReader = (await teacher.client.post('/api/conversations', { member_id: reader.userId })).body.id
    const toAway = (await teacher.client.post('/api/conversations', { member_id: away.userId })).body.id
    const read = await post(teacher, toReader, 'Le devoir est pour lundi.')
    await post(teacher, toAway, 'Bonjour,\n\nN’oublie pas le <quiz> de demain.')
    t.clock.advance(1000)
    await post(teacher, toAway, 'Et révise le chapitre 2.')

    const [received] = await inbox(reader)
    expect(received).toMatchObject({
      kind: 'message.received',
      title: 'Nouveau message de Test instructor',
      read_at: null,
      link: `/messages/${toReader}`,
    })
    expect(await inbox(teacher)).toEqual([])
    const receipt = await reader.client.post(`/api/conversations/${toReader}/read`, { up_to: read })
    expect(receipt.status).toBe(200)
    expect((await inbox(reader))[0]?.read_at).not.toBeNull()

    t.clock.advance(10 * 60_000)
    await sendDigests(t.notifications)
    await sendDigests(t.notifications)
    expect(await deliverMail(t.notifications)).toMatchObject({ sent: 1, retried: 0 })
    await smtp.waitFor(1)
    expect(mailsTo(reader.email)).toEqual([])
    const [digest] = mailsTo(away.email)
    expect(digest?.subject).toBe('2 message(s) non lu(s) de Test instructor')
    expect(digest?.text).toContain('« Et révise le chapitre 2. »')
    expect(digest?.text).toContain(`${t.url}/messages/${toAway}`)
    expect(digest?.html).toContain('Test instructor')
    expect(digest?.from?.value).toEqual([{ name: 'Sillon', address: 'ecole@example.org' }])
  })

  it('pushes a notification live to a connected member, and e-mails a message digest only once they are gone', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const conversationId = (await teacher.client.post('/api/conversations', { member_id: student.userId }))
      .body.id
    const socket = await TestSocket.ready(t.url, { as: student.client })
    try {
      // A message arrives live by itself; its notification waits in the inbox.
      await post(teacher, conversationId, 'Tu es là ?')
      await socket.next((f) => f.type === 'message.created', 'the message')
      const courseId = await course([student], [])
      expect((await owner.client.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
      const frame = await socket.next((f) => f.type === 'notification.created', 'the notification')
      const listed = (await student.client.get('/api/me/notifications')).body.data
      expect(listed.map((n: { kind: string }) => n.kind).sort()).toEqual([
        'course.assigned',
        'message.received',
      ])
      expect(frame.data).toEqual(listed.find((n: { kind: string }) => n.kind === 'course.assigned'))
      expect(socket.of('notification.created')).toHaveLength(1)
      t.clock.advance(10 * 60_000)
      expect(await sendDigests(t.notifications)).toMatchObject({ emailed: 0, postponed: 1 })
    } finally {
      await socket.close()
    }
    await waitUntil(async () => !(await t.realtime.isOnline(orgId, student.userId)), 'the student offline')
    t.clock.advance(10 * 60_000)
    expect(await sendDigests(t.notifications)).toMatchObject({ emailed: 1 })
    await deliverMail(t.notifications)
    expect(mailsTo(student.email).map((m) => m.subject)).toEqual([
      'Nouveau parcours : Le système solaire',
      '1 message(s) non lu(s) de Test instructor',
    ])
  })

  /** A course taught by the owner, with a direct student and a team; published unless said otherwise. */
  async function course(students: Member[], teamMembers: Member[]) {
    const studentId = async (m: Member) => (await profilesOfUser(t.identity, orgId, m.userId)).studentId
    const team = await owner.client.post('/api/teams', { name: `Équipe ${posted++}` })
    expect(team.status, JSON.stringify(team.body)).toBe(201)
    for (const m of teamMembers) {
      const added = await owner.client.post(`/api/teams/${team.body.id}/members`, {
        student_id: await studentId(m),
      })
      expect(added.status, JSON.stringify(added.body)).toBeLessThan(300)
    }
    const created = await owner.client.post('/api/lms/courses', {
      name: 'Le système solaire',
      student_ids: await Promise.all(students.map(studentId)),
      team_ids: [team.body.id],
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const step = await owner.client.post('/api/lms/classes', {
      course_id: created.body.id,
      ...completeSteps.reading,
    })
    expect(step.status, JSON.stringify(step.body)).toBe(201)
    return created.body.id as string
  }

  it('tells the students of a course when it is published, directly or through a team, once each', async () => {
    const [direct, inTeam, later] = [
      await member('student'),
      await member('student'),
      await member('student'),
    ]
    const courseId = await course([direct], [inTeam])
    expect(await inbox(direct)).toEqual([])
    expect((await owner.client.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
    for (const m of [direct, inTeam]) {
      expect(await inbox(m)).toMatchObject([
        {
          kind: 'course.assigned',
          title: 'Nouveau parcours : Le système solaire',
          link: `/courses/${courseId}`,
        },
      ])
    }
    // Enrolled later in the published course: told then; those already told are not told again.
    const laterId = (await profilesOfUser(t.identity, orgId, later.userId)).studentId
    const directId = (await profilesOfUser(t.identity, orgId, direct.userId)).studentId
    const updated = await owner.client.patch(`/api/lms/courses/${courseId}`, {
      student_ids: [directId, laterId],
    })
    expect(updated.status, JSON.stringify(updated.body)).toBe(200)
    expect(await inbox(later)).toHaveLength(1)
    expect(await inbox(direct)).toHaveLength(1)
    // Courses come by e-mail by default, in the student's language.
    expect(await deliverMail(t.notifications)).toMatchObject({ sent: 3 })
    expect(mailsTo(later.email)[0]?.subject).toBe('Nouveau parcours : Le système solaire')
  })

  it('tells a student of a badge once, even when the signals are replayed', async () => {
    const student = await member('student')
    const studentId = (await profilesOfUser(t.identity, orgId, student.userId)).studentId as string
    const signal = {
      id: `VIDEO_COMPLETED:${studentId}:flow`,
      type: 'VIDEO_COMPLETED',
      org_id: orgId,
      student_id: studentId,
      course_id: 'course-flow',
      class_id: null,
      occurred_at: t.clock.now().toISOString(),
      source_event_ids: [],
      payload: typicalPayload('VIDEO_COMPLETED', {}),
    }
    const badges = t.projectors.find((p) => p.name === 'gamification_badges')
    if (!badges) throw new Error('no badges reactor')
    for (let i = 0; i < 2; i++) {
      await t.database.db
        .transaction()
        .execute((trx) => appendSignals(trx, [signal], t.clock.now().toISOString()))
      expect((await runProjector(t.database.db, trackingEvents, badges, t.clock)).failed).toBeNull()
    }
    const notified = await inbox(student)
    expect(notified).toHaveLength(1)
    expect(notified[0]).toMatchObject({ kind: 'badge.awarded', link: '/badges' })
    expect(notified[0]?.title).toMatch(/^Nouveau badge : /)
  })

  it('tells the instructors of a course which students are at risk, at most once a day', async () => {
    const [teacher, student] = [await member('instructor'), await member('student')]
    const instructorId = (await profilesOfUser(t.identity, orgId, teacher.userId)).instructorId
    const courseId = await course([student], [])
    expect(
      (await owner.client.patch(`/api/lms/courses/${courseId}`, { instructor_ids: [instructorId] })).status,
    ).toBe(200)
    expect((await owner.client.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
    t.clock.advance(8 * 86_400_000)
    const job = t.jobs.find('notifications.students-at-risk')
    if (!job || !isScheduled(job)) throw new Error('no at-risk job')
    const run = (period: string) =>
      job.run({
        period,
        scheduledAt: new Date(period),
        orgId,
        timezone: 'Europe/Paris',
        payload: undefined,
        clock: t.clock,
        logger: pino({ level: 'silent' }),
        signal: new AbortController().signal,
      })
    const today = t.clock.now().toISOString()
    await run(today)
    await run(today)
    const atRisk = (await inbox(teacher)).filter((n) => n.kind === 'student.at_risk')
    expect(atRisk).toHaveLength(1)
    expect(atRisk[0]?.title).toBe('Test student est en difficulté dans Le système solaire')
    expect(atRisk[0]?.link).toContain(`/teach/courses/${courseId}/students/`)
    t.clock.advance(86_400_000)
    await run(t.clock.now().toISOString())
    expect((await inbox(teacher)).filter((n) => n.kind === 'student.at_risk')).toHaveLength(2)
  })
})
