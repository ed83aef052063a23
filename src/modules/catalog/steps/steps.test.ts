import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../../test/helpers/app.ts'
import { testDialects } from '../../../../test/helpers/databases.ts'
import { completeSteps, createOrg, signedInMember } from '../../../../test/helpers/factories.ts'

describe.each(testDialects())('steps on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let author: Awaited<ReturnType<typeof signedInMember>>
  // How far the most advanced student went, per course, as the progress module would say.
  const reached = new Map<string, number>()

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      deps: {
        progress: {
          reachedStepCount: async (_orgId, courseId) => reached.get(courseId) ?? 0,
          hasCompletedCourse: async () => false,
        },
      },
    })
    orgId = (await createOrg(t)).id
    author = await signedInMember(t, orgId, 'instructor')
  })
  afterAll(() => t.close())

  async function newCourse() {
    return (await author.client.post('/api/lms/courses', { name: 'Path' })).body.id as string
  }
  async function addStep(courseId: string, step: object) {
    const res = await author.client.post('/api/lms/classes', { course_id: courseId, ...step })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as { id: string; order_index: number; name: string }
  }
  async function order(courseId: string) {
    const res = await author.client.get(`/api/lms/classes?course_id=${courseId}`)
    return res.body.map((s: { name: string }) => s.name)
  }

  it('adds steps of every type at the end of the path, or at a given place', async () => {
    const courseId = await newCourse()
    const video = await addStep(courseId, completeSteps.video)
    await addStep(courseId, completeSteps.quiz)
    await addStep(courseId, completeSteps.video_quiz)
    await addStep(courseId, completeSteps.reading)
    expect(video.order_index).toBe(0)
    await addStep(courseId, { ...completeSteps.reading, name: 'Foreword', order_index: 0 })
    expect(await order(courseId)).toEqual(['Foreword', 'Watch', 'Check', 'Watch and check', 'Read'])
    const indexes = (await author.client.get(`/api/lms/classes?course_id=${courseId}`)).body.map(
      (s: { order_index: number }) => s.order_index,
    )
    expect(indexes).toEqual([0, 1, 2, 3, 4])
  })

  it('shows staff the quiz with its answer key, and never the Tally signing secret', async () => {
    const courseId = await newCourse()
    const quiz = await addStep(courseId, completeSteps.quiz)
    const read = await author.client.get(`/api/lms/classes/${quiz.id}`)
    expect(read.body.quiz).toEqual({
      kind: 'native',
      pass_threshold: null,
      reveal_answers: 'after_pass',
      question_display: 'all',
      questions: [
        {
          id: 'q1',
          type: 'single_choice',
          prompt: 'Which planet is red?',
          choices: [
            { id: 'a', text: 'Mars' },
            { id: 'b', text: 'Venus' },
          ],
          answer: 'a',
          points: 1,
          skills: [],
          explanation: 'Iron oxide makes Mars red.',
        },
      ],
    })
    const tally = await addStep(courseId, completeSteps.video_quiz)
    const tallyRead = await author.client.get(`/api/lms/classes/${tally.id}`)
    expect(tallyRead.body.quiz).toEqual({
      kind: 'tally',
      pass_threshold: null,
      tally: {
        form_id: 'wMq1ZQ',
        student_field: 'student_id',
        class_field: 'class_id',
        score_field: 'score',
        max_score: 10,
        signing_secret_set: true,
      },
    })
    expect(JSON.stringify(tallyRead.body)).not.toContain('tally-signing-secret')
    await author.client.patch(`/api/lms/classes/${tally.id}`, {
      quiz: { tally: { form_id: 'wMq1ZQ', max_score: 20 } },
    })
    const kept = await author.client.get(`/api/lms/classes/${tally.id}`)
    expect(kept.body.quiz.tally).toMatchObject({ max_score: 20, signing_secret_set: true })
  })

  it('refuses malformed quizzes with the reason', async () => {
    const courseId = await newCourse()
    const badAnswer = await author.client.post('/api/lms/classes', {
      course_id: courseId,
      name: 'Bad',
      step_type: 'quiz',
      quiz: {
        questions: [
          {
            id: 'q1',
            type: 'single_choice',
            prompt: 'P?',
            choices: [
              { id: 'a', text: 'A' },
              { id: 'b', text: 'B' },
            ],
            answer: 'z',
          },
          { id: 'q1', type: 'true_false', prompt: 'T?', answer: true },
        ],
      },
    })
    expect(badAnswer.status).toBe(400)
    const messages = JSON.stringify(badAnswer.body.error.details.issues)
    expect(messages).toContain('must name choices of this question')
    const badVideo = await author.client.post('/api/lms/classes', {
      course_id: courseId,
      name: 'Bad video',
      step_type: 'video',
      video: { source: 'stream', uid: 'not-a-uid', duration_sec: 0 },
    })
    expect(badVideo.status).toBe(400)
    expect((await author.client.get(`/api/lms/classes?course_id=${courseId}`)).body).toEqual([])
  })

  it('reorders freely while nobody has started, naming every step once', async () => {
    const courseId = await newCourse()
    const [a, b, c] = [
      await addStep(courseId, { ...completeSteps.reading, name: 'A' }),
      await addStep(courseId, { ...completeSteps.reading, name: 'B' }),
      await addStep(courseId, { ...completeSteps.reading, name: 'C' }),
    ]
    const res = await author.client.put(`/api/courses/${courseId}/steps/order`, {
      class_ids: [c.id, a.id, b.id],
    })
    expect(res.status).toBe(200)
    expect(res.body.map((s: { name: string }) => s.name)).toEqual(['C', 'A', 'B'])
    const partial = await author.client.put(`/api/courses/${courseId}/steps/order`, {
      class_ids: [a.id, b.id],
    })
    expect(partial.status).toBe(400)
    expect(partial.body.error.code).toBe('invalid_order')
  })

  it('takes only complete steps into a published course', async () => {
    const courseId = await newCourse()
    const step = await addStep(courseId, completeSteps.reading)
    await author.client.post(`/api/courses/${courseId}/publish`)
    const incomplete = await author.client.post('/api/lms/classes', {
      course_id: courseId,
      name: 'Later',
      step_type: 'video',
    })
    expect(incomplete.status).toBe(409)
    expect(incomplete.body.error.code).toBe('step_incomplete')
    expect(incomplete.body.error.details.problems).toEqual([
      expect.objectContaining({ code: 'video_missing', message: 'needs a video with its duration' }),
    ])
    const emptied = await author.client.patch(`/api/lms/classes/${step.id}`, { content_md: '' })
    expect(emptied.status).toBe(409)
    expect(emptied.body.error.details.problems).toEqual([
      { class_id: step.id, code: 'text_missing', message: 'needs the text to read' },
    ])
    expect(await order(courseId)).toEqual(['Read'])
  })

  it('once students have started, keeps the steps they reached in place but allows additions and fixes', async () => {
    const courseId = await newCourse()
    const a = await addStep(courseId, { ...completeSteps.reading, name: 'A' })
    const b = await addStep(courseId, { ...completeSteps.reading, name: 'B' })
    const c = await addStep(courseId, { ...completeSteps.reading, name: 'C' })
    await author.client.post(`/api/courses/${courseId}/publish`)
    reached.set(courseId, 2)

    const swap = await author.client.put(`/api/courses/${courseId}/steps/order`, {
      class_ids: [b.id, a.id, c.id],
    })
    expect(swap.status).toBe(409)
    expect(swap.body.error).toMatchObject({ code: 'students_started', details: { reached_steps: 2 } })
    expect((await author.client.delete(`/api/lms/classes/${b.id}`)).status).toBe(409)
    const insert = await author.client.post('/api/lms/classes', {
      course_id: courseId,
      ...completeSteps.reading,
      order_index: 1,
    })
    expect(insert.status).toBe(409)
    expect(await order(courseId)).toEqual(['A', 'B', 'C'])

    expect((await author.client.patch(`/api/lms/classes/${a.id}`, { name: 'A (typo fixed)' })).status).toBe(
      200,
    )
    await addStep(courseId, { ...completeSteps.reading, name: 'D' })
    const d = (await author.client.get(`/api/lms/classes?course_id=${courseId}`)).body[3]
    expect(
      (
        await author.client.put(`/api/courses/${courseId}/steps/order`, {
          class_ids: [a.id, b.id, d.id, c.id],
        })
      ).status,
    ).toBe(200)
    expect((await author.client.delete(`/api/lms/classes/${c.id}`)).status).toBe(204)
    expect(await order(courseId)).toEqual(['A (typo fixed)', 'B', 'D'])
  })

  it('tells staff which steps students have reached, so the builder can say why they cannot be removed', async () => {
    const courseId = await newCourse()
    const a = await addStep(courseId, { ...completeSteps.reading, name: 'A' })
    await addStep(courseId, { ...completeSteps.reading, name: 'B' })
    await addStep(courseId, { ...completeSteps.reading, name: 'C' })
    await author.client.post(`/api/courses/${courseId}/publish`)
    const flags = async () =>
      (await author.client.get(`/api/lms/classes?course_id=${courseId}`)).body.map(
        (s: { name: string; students_reached: boolean }) => [s.name, s.students_reached],
      )
    expect(await flags()).toEqual([
      ['A', false],
      ['B', false],
      ['C', false],
    ])

    reached.set(courseId, 2)
    expect(await flags()).toEqual([
      ['A', true],
      ['B', true],
      ['C', false],
    ])
    expect((await author.client.get(`/api/lms/classes/${a.id}`)).body.students_reached).toBe(true)
  })

  it('adds a step without a type as a video when one of its media is a VIDEO, otherwise as a reading', async () => {
    const courseId = await newCourse()
    const video = await addStep(courseId, {
      name: 'Watch',
      media: [{ type: 'VIDEO', url: 'https://videos.example.org/intro.mp4', name: 'Intro' }],
    })
    const reading = await addStep(courseId, {
      name: 'Read',
      media: [
        { type: 'TEXT', content: '# Les planètes' },
        { type: 'HEADSHOT', name: 'Autrice' },
      ],
    })
    const bare = await addStep(courseId, { name: 'Later' })
    const types = (await author.client.get(`/api/lms/classes?course_id=${courseId}`)).body.map(
      (s: { id: string; step_type: string }) => [s.id, s.step_type],
    )
    expect(types).toEqual([
      [video.id, 'video'],
      [reading.id, 'reading'],
      [bare.id, 'reading'],
    ])
    const read = await author.client.get(`/api/lms/classes/${reading.id}`)
    expect(read.body.media).toEqual([
      { type: 'TEXT', content: '# Les planètes' },
      { type: 'HEADSHOT', name: 'Autrice' },
    ])
  })

  it('lets another instructor read steps but not change them', async () => {
    const courseId = await newCourse()
    const step = await addStep(courseId, completeSteps.reading)
    const other = await signedInMember(t, orgId, 'instructor')
    expect((await other.client.get(`/api/lms/classes/${step.id}`)).status).toBe(200)
    expect((await other.client.patch(`/api/lms/classes/${step.id}`, { name: 'Mine' })).status).toBe(403)
    expect(
      (await other.client.post('/api/lms/classes', { course_id: courseId, ...completeSteps.reading })).status,
    ).toBe(403)
  })
})
