import { createHmac } from 'node:crypto'
import { sql } from 'kysely'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { runJobByHand } from '../../core/jobs/commands.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import { profilesOfUser } from '../identity/index.ts'

const SECRET = 'tally-signing-secret'

/** Tally's signature, computed independently of the code under test. */
const sign = (raw: string, secret = SECRET) => createHmac('sha256', secret).update(raw).digest('base64')

type Answers = { student?: string; class?: string; score?: unknown; eventId?: string; unsigned?: boolean }

/** A FORM_RESPONSE as Tally sends it: hidden fields for the student and step, a calculated score. */
function formResponse(formId: string, answers: Answers) {
  const fields: object[] = [
    { key: 'question_3EKz4n', label: 'Which planet is red?', type: 'MULTIPLE_CHOICE', value: ['a1'] },
  ]
  if (answers.student !== undefined) {
    // As Sillon's student view issues it: the id, signed for the step with the form's secret.
    const value =
      answers.class === undefined || answers.unsigned
        ? answers.student
        : `${answers.student}.${createHmac('sha256', SECRET).update(`sillon-tally:${answers.student}:${answers.class}`).digest('base64url')}`
    fields.push({ key: 'question_mV', label: 'student_id', type: 'HIDDEN_FIELDS', value })
  }
  if (answers.class !== undefined)
    fields.push({ key: 'question_nP', label: 'class_id', type: 'HIDDEN_FIELDS', value: answers.class })
  if (answers.score !== undefined)
    fields.push({ key: 'question_w4', label: 'score', type: 'CALCULATED_FIELDS', value: answers.score })
  return {
    eventId: answers.eventId ?? crypto.randomUUID(),
    eventType: 'FORM_RESPONSE',
    createdAt: '2026-11-22T09:30:00.000Z',
    data: {
      responseId: 'rsp1',
      submissionId: 'rsp1',
      respondentId: 'resp1',
      formId,
      formName: 'Planets',
      createdAt: '2026-11-22T09:30:00.000Z',
      fields,
    },
  }
}

describe.each(testDialects())('Tally webhooks on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let author: Awaited<ReturnType<typeof signedInMember>>
  let owner: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    author = await signedInMember(t, orgId, 'instructor')
    owner = await signedInMember(t, orgId, 'owner')
  })
  afterAll(() => t.close())

  const newFormId = () => `form-${crypto.randomUUID().slice(0, 8)}`

  /**
   * A published path with a Tally quiz step (10 points, course threshold 0.8) and an enrolled student;
   * `readingFirst` puts a reading step before it, so that the Tally step is not the current one.
   */
  async function tallyPath(
    options: { formId?: string; readingFirst?: boolean; passThreshold?: number } = {},
  ) {
    const formId = options.formId ?? newFormId()
    const student = await signedInMember(t, orgId, 'student')
    const { studentId } = await profilesOfUser(t.identity, orgId, student.userId)
    const course = (
      await author.client.post('/api/lms/courses', { name: 'Tally path', student_ids: [studentId] })
    ).body
    const add = async (step: object) => {
      const res = await author.client.post('/api/lms/classes', { course_id: course.id, ...step })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res.body.id as string
    }
    const reading = { name: 'Read', step_type: 'reading', content_md: 'Text' }
    const firstReading = options.readingFirst ? await add(reading) : null
    const quiz = await add({
      name: 'Tally quiz',
      step_type: 'quiz',
      quiz: {
        ...(options.passThreshold === undefined ? {} : { pass_threshold: options.passThreshold }),
        tally: { form_id: formId, max_score: 10, signing_secret: SECRET },
      },
    })
    const after = await add(reading)
    expect((await author.client.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
    return {
      formId,
      studentId: studentId as string,
      client: student.client,
      steps: { firstReading, quiz, after },
    }
  }

  async function deliver(body: object, headers: Record<string, string> | 'sign' = 'sign') {
    const raw = JSON.stringify(body)
    const h = headers === 'sign' ? { 'Tally-Signature': sign(raw) } : headers
    // Tally is a server: no Origin, no cookies.
    return t.client({ origin: null }).post('/api/tally-hook', raw, h)
  }

  async function eventsOf(studentId: string) {
    return t.database.db
      .selectFrom('lms_event')
      .select(['id', 'type', 'class_id', 'payload_json'])
      .where('student_id', '=', studentId)
      .execute()
  }

  async function signals(studentId: string) {
    const rows = await t.database.db
      .selectFrom('lms_signal')
      .select('type')
      .where('student_id', '=', studentId)
      .orderBy('type')
      .execute()
    return rows.map((r) => r.type)
  }

  async function inbox() {
    const res = await owner.client.get('/api/tally-inbox')
    expect(res.status).toBe(200)
    return res.body as {
      code: string
      tally_event_id: string
      form_id: string
      reason: string
      payload: unknown
    }[]
  }

  it('accepts the student field that the student view hands out, and refuses one a student edited', async () => {
    const { formId, studentId, client, steps } = await tallyPath()
    const view = (
      await client.get(
        `/api/me/courses/${(await t.database.db.selectFrom('lms_class').select('course_id').where('id', '=', steps.quiz).executeTakeFirstOrThrow()).course_id}`,
      )
    ).body
    const hidden = view.steps.find((s: { state: string }) => s.state === 'current').content.quiz.hidden_fields
    expect(hidden.class_id).toBe(steps.quiz)
    expect(hidden.student_id).toMatch(new RegExp(`^${studentId}\\.[\\w-]{43}$`))

    const classmate = await tallyPath({ formId })
    const forged = await deliver(
      formResponse(formId, { student: classmate.studentId, class: steps.quiz, score: 0, unsigned: true }),
    )
    expect(forged.status).toBe(422)
    expect(forged.body.error.code).toBe('tally_forged_student')
    const borrowed = await deliver(
      formResponse(formId, {
        student: `${classmate.studentId}.${hidden.student_id.split('.')[1]}`,
        class: steps.quiz,
        score: 0,
        unsigned: true,
      }),
    )
    expect(borrowed.status).toBe(422)
    expect(await eventsOf(classmate.studentId)).toEqual([])

    const genuine = await deliver(
      formResponse(formId, { student: hidden.student_id, class: steps.quiz, score: 10, unsigned: true }),
    )
    expect(genuine.body).toMatchObject({ status: 'accepted', passed: true })
  })

  it('records a signed response as a passed attempt and completes the Tally step', async () => {
    const { formId, studentId, steps } = await tallyPath()
    const body = formResponse(formId, { student: studentId, class: steps.quiz, score: 9 })
    const res = await deliver(body)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({
      status: 'accepted',
      event_id: `tally:${body.eventId}`,
      class_id: steps.quiz,
      score: 9,
      max_score: 10,
      ratio: 0.9,
      passed: true,
      pass_threshold: 0.8,
      step_completed: true,
    })
    const [event] = await eventsOf(studentId)
    expect(event).toMatchObject({ id: `tally:${body.eventId}`, type: 'QUIZ_SUBMIT', class_id: steps.quiz })
    expect(JSON.parse(event?.payload_json ?? '{}')).toMatchObject({
      source: 'tally',
      tally_event_id: body.eventId,
      answers: { question_3EKz4n: ['a1'], question_w4: 9 },
    })
    expect(await signals(studentId)).toEqual(['QUIZ_ATTEMPTED', 'QUIZ_PASSED', 'STEP_COMPLETED'])
  })

  it('records a response shaped like Tally\'s own example: a "Score" field, and the chosen options\' texts', async () => {
    const { formId, studentId, steps } = await tallyPath()
    const planets = [
      { id: '5c8a1d0e-0b4f-4e4a-9d8e-1f2a3b4c5d6e', text: 'Mars' },
      { id: '7e9f0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b', text: 'Venus' },
      { id: '9a0b1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d', text: 'Jupiter' },
    ]
    const [mars, venus, jupiter] = planets.map((p) => p.id)
    const studentField = formResponse(formId, { student: studentId, class: steps.quiz }).data.fields.find(
      (f) => (f as { label: string }).label === 'student_id',
    ) as { value: string }
    const body = {
      eventId: crypto.randomUUID(),
      eventType: 'FORM_RESPONSE',
      createdAt: '2026-11-22T09:30:00.000Z',
      data: {
        responseId: '2wgx4n',
        submissionId: '2wgx4n',
        respondentId: 'dwQKYm',
        formId,
        formName: 'Planets',
        createdAt: '2026-11-22T09:30:00.000Z',
        fields: [
          { key: 'question_mVGEg3', label: 'Student_ID', type: 'HIDDEN_FIELDS', value: studentField.value },
          { key: 'question_nPpVGb', label: ' class_id ', type: 'HIDDEN_FIELDS', value: steps.quiz },
          {
            key: 'question_3EKz4n',
            label: 'Which planet is red?',
            type: 'MULTIPLE_CHOICE',
            value: [mars],
            options: planets,
          },
          {
            key: 'question_w4Q1xD',
            label: 'Which are gas giants?',
            type: 'CHECKBOXES',
            value: [jupiter],
            options: planets,
          },
          {
            key: `question_w4Q1xD_${jupiter}`,
            label: 'Which are gas giants? (Jupiter)',
            type: 'CHECKBOXES',
            value: true,
          },
          {
            key: 'question_3jZaaP',
            label: 'Closest to the Sun?',
            type: 'DROPDOWN',
            value: [venus],
            options: planets,
          },
          { key: 'question_wLLxpM', label: 'Score', type: 'CALCULATED_FIELDS', value: 8 },
        ],
      },
    }
    const res = await deliver(body)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ status: 'accepted', class_id: steps.quiz, score: 8, passed: true })
    const [event] = await eventsOf(studentId)
    expect(JSON.parse(event?.payload_json ?? '{}')).toMatchObject({
      answers: { question_3EKz4n: [mars], question_w4Q1xD: [jupiter], question_3jZaaP: [venus] },
      answer_texts: {
        question_3EKz4n: ['Mars'],
        question_w4Q1xD: ['Jupiter'],
        question_3jZaaP: ['Venus'],
      },
    })
  })

  it('changes nothing when Tally resends the same eventId, even once the step has closed', async () => {
    const { formId, studentId, steps } = await tallyPath()
    const body = formResponse(formId, { student: studentId, class: steps.quiz, score: 10 })
    expect((await deliver(body)).body.status).toBe('accepted')
    const again = await deliver(body)
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ status: 'duplicate', event_id: `tally:${body.eventId}`, passed: true })
    expect(await eventsOf(studentId)).toHaveLength(1)
    expect(await signals(studentId)).toEqual(['QUIZ_ATTEMPTED', 'QUIZ_PASSED', 'STEP_COMPLETED'])
  })

  it('refuses a forged, tampered or missing signature with 401 and keeps no body', async () => {
    const { formId, studentId, steps } = await tallyPath()
    const body = formResponse(formId, { student: studentId, class: steps.quiz, score: 10 })
    const raw = JSON.stringify(body)
    const forged = await deliver(body, { 'Tally-Signature': sign(raw, 'not-the-secret') })
    expect(forged.status).toBe(401)
    expect(forged.body.error.code).toBe('tally_signature_invalid')
    const tampered = JSON.stringify(
      formResponse(formId, { student: studentId, class: steps.quiz, score: 10 }),
    )
    const swapped = await t
      .client({ origin: null })
      .post('/api/tally-hook', tampered, { 'Tally-Signature': sign(raw) })
    expect(swapped.status).toBe(401)
    expect((await deliver(body, { 'Tally-Signature': 'not base64 at all!' })).status).toBe(401)
    const missing = await deliver(body, {})
    expect(missing.status).toBe(401)
    expect(missing.body.error).toMatchObject({ code: 'tally_signature_missing', message: expect.any(String) })
    expect(await eventsOf(studentId)).toEqual([])
    expect((await inbox()).filter((r) => r.tally_event_id === body.eventId)).toEqual([])
  })

  async function tallyStorage() {
    const { rows } = await sql<{ rows: number | string; bytes: number | string | null }>`
      select count(*) as rows, sum(length(payload_json)) as bytes from tally_inbox`.execute(t.database.db)
    const rejected = await sql<{ rows: number | string; bytes: number | string | null }>`
      select count(*) as rows, sum(length(excerpt) + length(reason) + length(form_id) + length(tally_event_id)) as bytes
      from tally_rejections`.execute(t.database.db)
    return {
      rows: Number(rows[0]?.rows) + Number(rejected.rows[0]?.rows),
      bytes: Number(rows[0]?.bytes ?? 0) + Number(rejected.rows[0]?.bytes ?? 0),
    }
  }

  it('keeps storage bounded under thousands of unsigned or unknown-form deliveries, and still records a signed one', async () => {
    const { formId, studentId, steps } = await tallyPath()
    const before = await tallyStorage()
    const padding = 'x'.repeat(10_000)
    const flood = (i: number) => {
      const body = formResponse(i % 3 === 0 ? formId : newFormId(), {
        student: studentId,
        class: steps.quiz,
        score: 10,
      })
      body.data.fields.push({ key: 'question_pad', label: 'Essay', type: 'TEXTAREA', value: padding })
      const raw = JSON.stringify(body)
      // Unsigned, signed with a secret no step has, or with a signature that is not base64.
      const signature = [undefined, sign(raw, 'attacker'), 'AAAA'][i % 3 === 0 ? (i / 3) % 3 : i % 2]
      return t
        .client({ origin: null })
        .post('/api/tally-hook', raw, signature ? { 'Tally-Signature': signature } : {})
    }
    const total = 2_100
    let sentBytes = 0
    const statuses = new Map<number, number>()
    const started = Date.now()
    for (let i = 0; i < total; i += 30) {
      // Ten minutes go by during the flood: the per-sender rate lets more through than one school keeps.
      if (i % 210 === 0) t.clock.advance(61_000)
      const answers = await Promise.all(Array.from({ length: 30 }, (_, k) => flood(i + k)))
      for (const res of answers) {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        expect(res.body.error).toMatchObject({
          code: expect.stringMatching(/^tally_/),
          message: expect.any(String),
        })
      }
      sentBytes += 30 * 10_000
    }
    const elapsedMs = Date.now() - started
    expect([...statuses.keys()].sort()).toEqual([401, 422])
    const after = await tallyStorage()
    expect(after.rows - before.rows).toBeLessThanOrEqual(100)
    expect(after.bytes - before.bytes).toBeLessThan(100 * 1_000)
    expect(sentBytes).toBeGreaterThan(20_000_000)
    console.info(
      `tally flood on ${dialect}: ${total} deliveries in ${elapsedMs} ms, storage +${after.rows - before.rows} rows, +${after.bytes - before.bytes} bytes`,
    )

    // What the school sees: the form, why, the size, the start of the body.
    const seen = await owner.client.get('/api/tally-rejections?limit=200')
    expect(seen.status).toBe(200)
    expect(seen.body).toHaveLength(100)
    expect(seen.body[0]).toMatchObject({
      form_id: formId,
      code: expect.stringMatching(/^tally_signature_(missing|invalid)$/),
      size_bytes: expect.any(Number),
    })
    expect(seen.body[0].size_bytes).toBeGreaterThan(10_000)
    expect(seen.body[0].excerpt.length).toBeLessThanOrEqual(300)
    expect(seen.body[0].excerpt.startsWith('{"eventId":')).toBe(true)

    const signed = await deliver(formResponse(formId, { student: studentId, class: steps.quiz, score: 10 }))
    expect(signed.status, JSON.stringify(signed.body)).toBe(200)
    expect(signed.body).toMatchObject({ status: 'accepted', step_completed: true })
  }, 180_000)

  it('records at most 20 rejected deliveries a minute per sender, and forgets them after 30 days', async () => {
    const { formId, studentId, steps } = await tallyPath()
    const otherOrg = await createOrg(t)
    const otherAdmin = await signedInMember(t, otherOrg.id, 'admin')
    t.clock.advance(61_000)
    const receivedAt = t.clock.now().toISOString()
    const rejectedHere = async () =>
      (await owner.client.get('/api/tally-rejections?limit=200')).body.filter(
        (r: { received_at: string }) => r.received_at === receivedAt,
      )
    for (let i = 0; i < 50; i++) {
      const res = await deliver(formResponse(formId, { student: studentId, class: steps.quiz, score: 1 }), {})
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('tally_signature_missing')
    }
    expect(await rejectedHere()).toHaveLength(20)
    expect((await otherAdmin.client.get('/api/tally-rejections')).body).toEqual([])
    expect((await author.client.get('/api/tally-rejections')).status).toBe(403)

    const job = t.jobs.find('tracking.prune-tally-rejections') as ScheduledJob
    const run = (at: Date) =>
      runJobByHand(
        { db: t.database.db, clock: t.clock, logger: pino({ level: 'silent' }), registry: t.jobs },
        job,
        at,
      )
    await run(new Date(t.clock.now().getTime() + 29 * 86_400_000))
    expect(await rejectedHere()).toHaveLength(20)
    await run(new Date(t.clock.now().getTime() + 31 * 86_400_000))
    expect(await rejectedHere()).toEqual([])
  })

  it('stores a score below the pass threshold as a failed attempt, and uses the quiz threshold first', async () => {
    const { formId, studentId, steps } = await tallyPath()
    const low = await deliver(formResponse(formId, { student: studentId, class: steps.quiz, score: '7' }))
    expect(low.body).toMatchObject({ status: 'accepted', score: 7, passed: false, step_completed: false })
    expect(await eventsOf(studentId)).toHaveLength(1)
    // The failed attempt costs a heart (gamification), even from Tally.
    expect(await signals(studentId)).toEqual(['HEART_LOST', 'QUIZ_ATTEMPTED'])

    const lenient = await tallyPath({ passThreshold: 0.5 })
    const half = await deliver(
      formResponse(lenient.formId, { student: lenient.studentId, class: lenient.steps.quiz, score: 5 }),
    )
    expect(half.body).toMatchObject({ status: 'accepted', passed: true, pass_threshold: 0.5 })
  })

  it('picks the step named by the class hidden field when several steps use the form', async () => {
    const first = await tallyPath()
    const second = await tallyPath({ formId: first.formId })
    const res = await deliver(
      formResponse(first.formId, { student: second.studentId, class: second.steps.quiz, score: 10 }),
    )
    expect(res.body).toMatchObject({ status: 'accepted', class_id: second.steps.quiz })
    const unnamed = await deliver(formResponse(first.formId, { student: second.studentId, score: 10 }))
    expect(unnamed.status).toBe(422)
    expect(unnamed.body.error.code).toBe('tally_missing_field')
  })

  it('keeps unmappable responses in the Tally inbox and answers 422 with the reason', async () => {
    const { formId, studentId, steps } = await tallyPath()
    const cases = [
      {
        code: 'tally_unknown_student',
        body: formResponse(formId, { student: 'no-such-student', class: steps.quiz, score: 10 }),
      },
      { code: 'tally_missing_field', body: formResponse(formId, { class: steps.quiz, score: 10 }) },
      {
        code: 'tally_invalid_score',
        body: formResponse(formId, { student: studentId, class: steps.quiz, score: 'ten' }),
      },
      // The webhook was set up on another form than the step names: the step's own secret proves the school.
      {
        code: 'tally_unknown_form',
        body: formResponse(newFormId(), { student: studentId, class: steps.quiz, score: 10 }),
      },
    ]
    for (const { code, body } of cases) {
      const res = await deliver(body)
      expect(res.status, code).toBe(422)
      expect(res.body.error).toMatchObject({ code, message: expect.any(String) })
      // Tally retries a 422: the retry updates the same inbox row.
      expect((await deliver(body)).status).toBe(422)
    }
    const kept = await inbox()
    for (const { code, body } of cases) {
      const rows = kept.filter((r) => r.tally_event_id === body.eventId)
      expect(rows, code).toHaveLength(1)
      expect(rows[0]).toMatchObject({ code, form_id: body.data.formId, payload: body })
    }
    expect(await eventsOf(studentId)).toEqual([])

    // Nothing proves who sent a response to a form no step uses: it is refused and kept nowhere.
    const stray = formResponse(newFormId(), { student: studentId, score: 10 })
    const strayRes = await deliver(stray, { 'Tally-Signature': sign(JSON.stringify(stray), 'someone-else') })
    expect(strayRes.status).toBe(422)
    expect(strayRes.body.error.code).toBe('tally_unknown_form')
    const strayRows = await t.database.db
      .selectFrom('tally_inbox')
      .select('id')
      .where('tally_event_id', '=', stray.eventId)
      .execute()
    expect(strayRows).toEqual([])

    expect((await author.client.get('/api/tally-inbox')).status).toBe(403)
    const otherOrg = await createOrg(t)
    const otherAdmin = await signedInMember(t, otherOrg.id, 'admin')
    const theirs = await otherAdmin.client.get('/api/tally-inbox')
    expect(theirs.status).toBe(200)
    expect(theirs.body).toEqual([])
  })

  it('acknowledges but does not record a response for a step that is not the current one', async () => {
    const { formId, studentId, client, steps } = await tallyPath({ readingFirst: true })
    const early = formResponse(formId, { student: studentId, class: steps.quiz, score: 10 })
    const res = await deliver(early)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      status: 'refused',
      class_id: steps.quiz,
      error: { code: 'step_locked' },
    })
    expect(await eventsOf(studentId)).toEqual([])
    expect((await inbox()).find((r) => r.tally_event_id === early.eventId)).toMatchObject({
      code: 'step_locked',
    })

    // Once the step is current, a new response counts; one for the completed step is refused as closed.
    await client.post('/api/step-ack', { class_id: steps.firstReading })
    const onTime = await deliver(formResponse(formId, { student: studentId, class: steps.quiz, score: 10 }))
    expect(onTime.body).toMatchObject({ status: 'accepted', step_completed: true })
    const late = await deliver(formResponse(formId, { student: studentId, class: steps.quiz, score: 2 }))
    expect(late.body).toMatchObject({ status: 'refused', error: { code: 'step_closed' } })
    expect((await eventsOf(studentId)).filter((e) => e.type === 'QUIZ_SUBMIT')).toHaveLength(1)
  })

  it('acknowledges a response from a student not enrolled in the course, without recording it', async () => {
    const { formId, steps } = await tallyPath()
    const outsider = await signedInMember(t, orgId, 'student')
    const { studentId } = await profilesOfUser(t.identity, orgId, outsider.userId)
    const res = await deliver(
      formResponse(formId, { student: studentId as string, class: steps.quiz, score: 10 }),
    )
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ status: 'refused', error: { code: 'not_enrolled' } })
    expect(await eventsOf(studentId as string)).toEqual([])
  })
})
