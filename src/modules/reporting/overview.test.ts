import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import {
  completeSteps,
  createOrg,
  createStudent,
  signedInMember,
  signIn,
} from '../../../test/helpers/factories.ts'

// A school in Paris (UTC+1 in November) with one published 3-step path (reading, quiz, reading) and
// students who each show one situation; the overview is read on Monday 2026-11-30 at 13:00 in Paris.
const NOW = '2026-11-30T12:00:00.000Z'

describe.each(testDialects())('the admin overview on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let owner: TestClient
  let courseId: string
  let steps: { read: string; quiz: string; last: string }
  const ids: Record<string, string> = {}
  const clients: Record<string, TestClient> = {}

  const at = async (instant: string, who: string, action: 'read' | 'pass' | 'fail' | 'last') => {
    t.clock.set(instant)
    const client = clients[who] as TestClient
    const res =
      action === 'read' || action === 'last'
        ? await client.post('/api/step-ack', { class_id: action === 'read' ? steps.read : steps.last })
        : await client.post('/api/quiz-submission', {
            class_id: steps.quiz,
            answers: { q1: action === 'pass' ? 'a' : 'b' },
          })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
  }
  const overview = (query = '') => owner.get(`/api/admin/overview${query}`)

  beforeAll(async () => {
    t = await startTestApp(dialect)
    t.clock.set('2026-10-20T09:00:00.000Z')
    orgId = (await createOrg(t)).id
    owner = (await signedInMember(t, orgId, 'owner')).client
    const author = await signedInMember(t, orgId, 'instructor')
    for (const name of ['done_early', 'done_late', 'idle', 'never', 'stuck', 'failing', 'heartless']) {
      const student = await createStudent(t, orgId)
      ids[name] = student.studentId
      clients[name] = await signIn(t, student.email)
    }
    const course = await author.client.post('/api/lms/courses', {
      name: 'Astronomie',
      student_ids: Object.values(ids),
    })
    courseId = course.body.id
    const add = async (step: object) =>
      (await author.client.post('/api/lms/classes', { course_id: courseId, ...step })).body.id as string
    steps = {
      read: await add(completeSteps.reading),
      quiz: await add(completeSteps.quiz),
      last: await add({ ...completeSteps.reading, name: 'Conclusion' }),
    }
    expect((await author.client.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
    // Another course, still a draft: counted in enrolments, never a source of risk.
    await author.client.post('/api/lms/courses', { name: 'Brouillon', student_ids: [ids.never] })

    // Completed before the 30-day window.
    await at('2026-10-20T10:00:00.000Z', 'done_early', 'read')
    await at('2026-10-20T10:05:00.000Z', 'done_early', 'pass')
    await at('2026-10-20T10:10:00.000Z', 'done_early', 'last')
    // Last seen 15 days ago, after the first step.
    await at('2026-11-15T10:00:00.000Z', 'idle', 'read')
    // On the quiz since 2026-11-20, still trying (once) on 2026-11-29 at 11:00 in Paris.
    await at('2026-11-20T10:00:00.000Z', 'stuck', 'read')
    await at('2026-11-29T10:00:00.000Z', 'stuck', 'fail')
    // Completed within the window.
    await at('2026-11-28T10:00:00.000Z', 'done_late', 'read')
    await at('2026-11-28T10:05:00.000Z', 'done_late', 'pass')
    await at('2026-11-28T10:10:00.000Z', 'done_late', 'last')
    // 23:30 UTC on the 29th is already the 30th in Paris; then three failed attempts.
    await at('2026-11-29T23:30:00.000Z', 'failing', 'read')
    await at('2026-11-30T08:00:00.000Z', 'failing', 'fail')
    await at('2026-11-30T08:01:00.000Z', 'failing', 'fail')
    await at('2026-11-30T08:02:00.000Z', 'failing', 'fail')
    await at('2026-11-30T09:00:00.000Z', 'heartless', 'read')
    t.clock.set(NOW)
  })
  afterAll(() => t.close())

  it("counts active students over the school's last 1, 7 and 30 days", async () => {
    const res = await overview()
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.timezone).toBe('Europe/Paris')
    // Today (Paris): failing (from 00:30) and heartless. Since Tuesday 24th: + done_late and stuck.
    // Since the 1st: + idle. done_early and never are not active.
    expect(res.body.active_students).toEqual({ last_1_day: 2, last_7_days: 4, last_30_days: 5 })
  })

  it('counts enrolments per course and completions, in total and over the last 30 days', async () => {
    const { body } = await overview()
    expect(body.enrolments.total).toBe(8)
    expect(body.enrolments.students).toBe(7)
    expect(body.enrolments.by_course).toEqual([
      {
        course_id: courseId,
        name: 'Astronomie',
        status: 'published',
        enrolled: 7,
        completions: 2,
        completions_last_30_days: 1,
      },
      expect.objectContaining({ name: 'Brouillon', status: 'draft', enrolled: 1, completions: 0 }),
    ])
    expect(body.completions).toEqual({ total: 2, last_30_days: 1 })
  })

  it("counts events per day of the school's time zone over the last 30 days", async () => {
    const { body } = await overview()
    expect(body.events_per_day).toHaveLength(30)
    expect(body.events_per_day[0]).toEqual({ day: '2026-11-01', events: 0 })
    const busy = body.events_per_day.filter((d: { events: number }) => d.events > 0)
    expect(busy).toEqual([
      { day: '2026-11-15', events: 1 },
      { day: '2026-11-20', events: 1 },
      { day: '2026-11-28', events: 3 },
      // In UTC the 29th would have two events and the 30th four.
      { day: '2026-11-29', events: 1 },
      { day: '2026-11-30', events: 5 },
    ])
  })

  it('lists the students at risk with their reasons, most severe first', async () => {
    const { body } = await overview()
    const summary = body.at_risk.entries.map((e: { student_id: string; reasons: { code: string }[] }) => [
      Object.keys(ids).find((k) => ids[k] === e.student_id),
      e.reasons.map((r) => r.code),
    ])
    expect(summary).toEqual([
      ['idle', ['inactive', 'stuck']],
      ['never', ['inactive']],
      ['stuck', ['stuck']],
      ['failing', ['repeated_failures']],
    ])
    expect(body.at_risk.total).toBe(4)
    const [idle, never, stuck, failing] = body.at_risk.entries
    expect(idle).toMatchObject({
      name: 'Test student',
      course_id: courseId,
      course_name: 'Astronomie',
      severity: 5,
    })
    expect(idle.reasons[0]).toEqual({
      code: 'inactive',
      last_event_at: '2026-11-15T10:00:00.000Z',
      since: '2026-11-15T10:00:00.000Z',
      days: 15,
    })
    // Never started: counted from enrolment and publication, and not "stuck".
    expect(never.reasons).toEqual([
      { code: 'inactive', last_event_at: null, since: '2026-10-20T09:00:00.000Z', days: 41 },
    ])
    expect(stuck.reasons).toEqual([
      {
        code: 'stuck',
        class_id: steps.quiz,
        step_index: 1,
        step_name: 'Check',
        since: '2026-11-20T10:00:00.000Z',
        days: 10,
      },
    ])
    expect(failing.reasons).toEqual([
      {
        code: 'repeated_failures',
        class_id: steps.quiz,
        step_index: 1,
        failed_attempts: 3,
        best_ratio: 0,
        last_attempt_at: '2026-11-30T08:02:00.000Z',
      },
    ])
  })

  it('applies the thresholds of the query and bounds the list', async () => {
    const relaxed = (await overview('?inactive_days=20&stuck_days=12&failures=1')).body
    expect(relaxed.thresholds).toEqual({ inactive_days: 20, stuck_days: 12, failures: 1 })
    const codes = Object.fromEntries(
      relaxed.at_risk.entries.map((e: { student_id: string; reasons: { code: string }[] }) => [
        Object.keys(ids).find((k) => ids[k] === e.student_id),
        e.reasons.map((r) => r.code),
      ]),
    )
    expect(codes).toEqual({
      idle: ['stuck'],
      never: ['inactive'],
      stuck: ['repeated_failures'],
      failing: ['repeated_failures'],
    })
    const bounded = (await overview('?limit=1')).body.at_risk
    expect(bounded.total).toBe(4)
    expect(bounded.entries).toHaveLength(1)
  })

  it('adds the students out of hearts and the average mastery that the other modules report', async () => {
    // The ports are read on every request, so the test stands in for the modules that provide them.
    const wired = { outOfHearts: t.reporting.outOfHearts, averageMastery: t.reporting.averageMastery }
    t.reporting.averageMastery = undefined
    expect((await overview()).body.average_mastery).toEqual([])
    t.reporting.outOfHearts = async () => [
      { student_id: ids.heartless as string, next_heart_at: '2026-11-30T13:00:00.000Z' },
    ]
    t.reporting.averageMastery = async () => [{ course_id: courseId, students: 3, average_score: 0.72 }]
    try {
      const { body } = await overview()
      expect(body.at_risk.entries.at(-1)).toMatchObject({
        student_id: ids.heartless,
        severity: 1,
        reasons: [{ code: 'out_of_hearts', next_heart_at: '2026-11-30T13:00:00.000Z' }],
      })
      expect(body.average_mastery).toEqual([
        { course_id: courseId, name: 'Astronomie', students: 3, average_score: 0.72 },
      ])
    } finally {
      Object.assign(t.reporting, wired)
    }
  })

  it('is for owners, admins and support staff, and refuses bad thresholds', async () => {
    expect((await clients.idle?.get('/api/admin/overview'))?.status).toBe(403)
    const instructor = await signedInMember(t, orgId, 'instructor')
    expect((await instructor.client.get('/api/admin/overview')).status).toBe(403)
    const support = await signedInMember(t, orgId, 'support')
    expect((await support.client.get('/api/admin/overview')).status).toBe(200)
    for (const query of ['?inactive_days=0', '?stuck_days=abc', '?failures=-1', '?limit=1000']) {
      const res = await overview(query)
      expect(res.status, query).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
    }
  })
})
