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

// One published 3-step path (reading, quiz, reading) and four students at different points of it:
// `done` finished it, `ahead` is on the last step, `failing` failed the quiz three times, `absent` never
// started. Read the day after they worked, 10 days after enrolment.
describe.each(testDialects())('course analytics on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let author: Awaited<ReturnType<typeof signedInMember>>
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
  const analytics = (client: TestClient, query = '', id = courseId) =>
    client.get(`/api/courses/${id}/analytics${query}`)
  const nameOf = (studentId: string) => Object.keys(ids).find((k) => ids[k] === studentId)

  beforeAll(async () => {
    t = await startTestApp(dialect)
    t.clock.set('2026-11-10T09:00:00.000Z')
    orgId = (await createOrg(t)).id
    author = await signedInMember(t, orgId, 'instructor')
    for (const name of ['done', 'ahead', 'failing', 'absent']) {
      const student = await createStudent(t, orgId)
      ids[name] = student.studentId
      clients[name] = await signIn(t, student.email)
    }
    courseId = (
      await author.client.post('/api/lms/courses', { name: 'Astronomie', student_ids: Object.values(ids) })
    ).body.id
    const add = async (step: object) =>
      (await author.client.post('/api/lms/classes', { course_id: courseId, ...step })).body.id as string
    steps = {
      read: await add(completeSteps.reading),
      quiz: await add(completeSteps.quiz),
      last: await add({ ...completeSteps.reading, name: 'Conclusion' }),
    }
    expect((await author.client.post(`/api/courses/${courseId}/publish`)).status).toBe(200)

    await at('2026-11-19T08:00:00.000Z', 'done', 'read')
    await at('2026-11-19T09:00:00.000Z', 'done', 'fail')
    await at('2026-11-19T10:00:00.000Z', 'done', 'pass')
    await at('2026-11-19T11:00:00.000Z', 'done', 'last')
    await at('2026-11-19T08:00:00.000Z', 'ahead', 'read')
    await at('2026-11-19T08:30:00.000Z', 'ahead', 'pass')
    await at('2026-11-19T08:00:00.000Z', 'failing', 'read')
    await at('2026-11-19T09:00:00.000Z', 'failing', 'fail')
    await at('2026-11-19T09:10:00.000Z', 'failing', 'fail')
    await at('2026-11-19T09:20:00.000Z', 'failing', 'fail')
    t.clock.set('2026-11-20T12:00:00.000Z')
  })
  afterAll(() => t.close())

  it('counts, per step, who reached it, completed it, is on it or abandoned, and their attempts and time', async () => {
    const res = await analytics(author.client)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.course).toEqual({ id: courseId, name: 'Astronomie', status: 'published', step_count: 3 })
    expect(res.body).toMatchObject({ enrolled: 4, completed: 1 })
    expect(res.body.funnel).toEqual([
      {
        class_id: steps.read,
        index: 0,
        name: 'Read',
        step_type: 'reading',
        reached: 3,
        completed: 3,
        in_progress: 0,
        abandoned: 0,
        abandoned_ratio: 0,
        average_quiz_attempts: null,
        // The first step opened with its acknowledgement, the only event on it: the time is unknown.
        average_time_sec: null,
      },
      {
        class_id: steps.quiz,
        index: 1,
        name: 'Check',
        step_type: 'quiz',
        reached: 3,
        completed: 2,
        // failing is on it and was active yesterday: in progress, not abandoned.
        in_progress: 1,
        abandoned: 0,
        abandoned_ratio: 0,
        // done 2, ahead 1, failing 3.
        average_quiz_attempts: 2,
        // From the reading's completion (08:00) to the pass: done two hours, capped at one; ahead 30 min.
        average_time_sec: 2700,
      },
      {
        class_id: steps.last,
        index: 2,
        name: 'Conclusion',
        step_type: 'reading',
        // done acknowledged it; ahead completed the quiz before it.
        reached: 2,
        completed: 1,
        in_progress: 1,
        abandoned: 0,
        abandoned_ratio: 0,
        average_quiz_attempts: null,
        // done: from the pass (10:00) to the acknowledgement (11:00).
        average_time_sec: 3600,
      },
    ])
  })

  it('lists the students with their place in the path, best quiz scores and at-risk reasons', async () => {
    const { body } = await analytics(author.client)
    expect(body.students.total).toBe(4)
    const entries = body.students.entries
    // Never started 10 days after enrolment (inactive), then repeated failures, then the others.
    expect(entries.slice(0, 2).map((e: { student_id: string }) => nameOf(e.student_id))).toEqual([
      'absent',
      'failing',
    ])
    const byName = Object.fromEntries(entries.map((e: { student_id: string }) => [nameOf(e.student_id), e]))
    expect(byName.done).toMatchObject({
      name: 'Test student',
      completed_steps: 3,
      progress_ratio: 1,
      completed: true,
      status: 'completed',
      time_spent_sec: 7200,
      current_step: null,
      last_event_at: '2026-11-19T11:00:00.000Z',
      quiz_scores: [
        {
          class_id: steps.quiz,
          step_index: 1,
          best_ratio: 1,
          score: 1,
          max_score: 1,
          attempts: 2,
          passed: true,
        },
      ],
      severity: 0,
      at_risk: [],
    })
    expect(byName.ahead).toMatchObject({
      completed_steps: 2,
      progress_ratio: 0.67,
      completed: false,
      status: 'in_progress',
      time_spent_sec: 1800,
      current_step: { class_id: steps.last, index: 2, name: 'Conclusion' },
      at_risk: [],
    })
    expect(byName.failing).toMatchObject({
      completed_steps: 1,
      progress_ratio: 0.33,
      current_step: { class_id: steps.quiz, index: 1 },
      quiz_scores: [expect.objectContaining({ attempts: 3, passed: false, best_ratio: 0 })],
      severity: 2,
      at_risk: [
        {
          code: 'repeated_failures',
          class_id: steps.quiz,
          step_index: 1,
          failed_attempts: 3,
          best_ratio: 0,
          last_attempt_at: '2026-11-19T09:20:00.000Z',
        },
      ],
    })
    expect(byName.absent).toMatchObject({
      completed_steps: 0,
      progress_ratio: 0,
      status: 'not_started',
      current_step: { class_id: steps.read, index: 0 },
      last_event_at: null,
      quiz_scores: [],
      at_risk: [{ code: 'inactive', last_event_at: null, days: 10 }],
    })
  })

  it('applies the thresholds and pages the students', async () => {
    const strict = (await analytics(author.client, '?inactive_days=11&failures=4&stuck_days=1')).body
    const reasons = Object.fromEntries(
      strict.students.entries.map((e: { student_id: string; at_risk: { code: string }[] }) => [
        nameOf(e.student_id),
        e.at_risk.map((r) => r.code),
      ]),
    )
    // On their step since yesterday morning: a day is enough to be stuck with stuck_days=1.
    expect(reasons).toEqual({ done: [], ahead: ['stuck'], failing: ['stuck'], absent: [] })
    const page = (await analytics(author.client, '?limit=1&offset=1')).body.students
    expect(page.total).toBe(4)
    expect(page.entries.map((e: { student_id: string }) => nameOf(e.student_id))).toEqual(['failing'])
  })

  it('shows students out of hearts, as gamification reports them', async () => {
    const wired = t.reporting.outOfHearts
    t.reporting.outOfHearts = async () => [{ student_id: ids.ahead as string, next_heart_at: null }]
    try {
      const { body } = await analytics(author.client)
      const ahead = body.students.entries.find((e: { student_id: string }) => e.student_id === ids.ahead)
      expect(ahead.at_risk).toEqual([{ code: 'out_of_hearts', next_heart_at: null }])
    } finally {
      t.reporting.outOfHearts = wired
    }
  })

  it("is for the course's instructors and the school's admins: 403 for others, 404 for another school's course", async () => {
    for (const role of ['owner', 'admin'] as const) {
      expect((await analytics((await signedInMember(t, orgId, role)).client)).status).toBe(200)
    }
    const notAssigned = await analytics((await signedInMember(t, orgId, 'instructor')).client)
    expect(notAssigned.status).toBe(403)
    expect(notAssigned.body.error.code).toBe('not_assigned')
    expect((await analytics(clients.done as TestClient)).status).toBe(403)
    expect((await analytics((await signedInMember(t, orgId, 'support')).client)).status).toBe(403)

    const otherOrg = (await createOrg(t)).id
    const otherOwner = (await signedInMember(t, otherOrg, 'owner')).client
    const foreign = await analytics(otherOwner)
    expect(foreign.status).toBe(404)
    expect(foreign.body.error.code).toBe('not_found')
    expect((await analytics(author.client, '', 'no-such-course')).status).toBe(404)
  })

  it('refuses bad query parameters', async () => {
    for (const query of ['?stuck_days=0', '?inactive_days=1.5', '?failures=x', '?offset=-1', '?limit=0']) {
      const res = await analytics(author.client, query)
      expect(res.status, query).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
    }
  })
})
