import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, createStudent, signedInMember, signIn } from '../../../test/helpers/factories.ts'
import { typicalPayload } from '../../../test/helpers/signals.ts'
import { type Projector, rebuildProjection, runProjector } from '../../core/events/projector.ts'
import { appendSignals, type NewSignal } from '../../core/events/signal-log.ts'
import { createOrganisation } from '../identity/index.ts'
import { trackingEvents } from '../tracking/index.ts'
import { badgeCount, recentAwards } from './index.ts'

describe.each(testDialects())('badges on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: TestClient
  let n = 0

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id // created at the test clock's start, 2026-11-22T09:00Z
    admin = (await signedInMember(t, orgId, 'admin')).client
  })
  afterAll(() => t.close())

  const reactor = (name: string) => t.projectors.find((p) => p.name === name) as Projector

  function signal(studentId: string, type: string, at: string, payload: Record<string, unknown> = {}) {
    n += 1
    const s: NewSignal = {
      id: `${type}:${studentId}:subject-${n}`,
      type,
      org_id: orgId,
      student_id: studentId,
      course_id: type === 'STREAK_DAY' ? null : 'course-badges',
      class_id: null,
      occurred_at: at,
      source_event_ids: [],
      payload: typicalPayload(type, payload),
    }
    return s
  }

  /** Appends signals (again, for a retry) and runs the XP and badges reactors. */
  async function emit(signals: NewSignal[]) {
    await t.database.db
      .transaction()
      .execute((trx) => appendSignals(trx, signals, t.clock.now().toISOString()))
    for (const name of ['gamification_xp', 'gamification_badges']) {
      const run = await runProjector(t.database.db, trackingEvents, reactor(name), t.clock)
      expect(run.failed, name).toBeNull()
    }
  }

  async function awardsOf(studentId: string) {
    return t.database.db
      .selectFrom('gamification_award as a')
      .innerJoin('gamification_badge as b', 'b.id', 'a.badge_id')
      .select(['b.code', 'a.awarded_at', 'a.source_signal_id', 'a.points'])
      .where('a.org_id', '=', orgId)
      .where('a.student_id', '=', studentId)
      .orderBy('b.code')
      .execute()
  }
  const codesOf = async (studentId: string) => (await awardsOf(studentId)).map((a) => a.code)

  /** Everything the badges reactor derives for the school, in a stable order. */
  async function derived() {
    const db = t.database.db
    return {
      awards: await db
        .selectFrom('gamification_award')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('id')
        .execute(),
      counters: await db
        .selectFrom('gamification_counter')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('student_id')
        .orderBy('key')
        .execute(),
      xp: await db
        .selectFrom('xp_ledger')
        .select(['id', 'student_id', 'cause', 'points', 'occurred_at'])
        .where('org_id', '=', orgId)
        .orderBy('id')
        .execute(),
      scores: await db
        .selectFrom('gamification_score')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('student_id')
        .execute(),
    }
  }

  async function rebuildBadges() {
    const run = await rebuildProjection(
      t.database.db,
      trackingEvents,
      reactor('gamification_badges'),
      t.clock,
    )
    expect(run.failed).toBeNull()
  }

  it('awards the default badges at their thresholds, with their points as XP', async () => {
    const { studentId, email } = await createStudent(t, orgId)
    const videos = [1, 2, 3, 4, 5].map((i) =>
      signal(studentId, 'VIDEO_COMPLETED', `2026-11-23T10:0${i}:00.000Z`),
    )
    await emit(videos.slice(0, 4))
    expect(await awardsOf(studentId)).toEqual([
      {
        code: 'first_video',
        awarded_at: '2026-11-23T10:01:00.000Z',
        source_signal_id: videos[0]?.id,
        points: 10,
      },
    ])
    const pass = signal(studentId, 'QUIZ_PASSED', '2026-11-23T11:00:00.000Z', {
      score: 8,
      max_score: 10,
      attempts: 1,
    })
    const perfect = signal(studentId, 'QUIZ_PASSED', '2026-11-23T11:10:00.000Z', {
      score: 10,
      max_score: 10,
      attempts: 1,
    })
    const courses = [1, 2, 3, 4, 5].map((i) =>
      signal(studentId, 'COURSE_COMPLETED', `2026-11-23T12:0${i}:00.000Z`),
    )
    await emit([videos[4] as NewSignal, pass, perfect, ...courses])
    expect(await awardsOf(studentId)).toEqual([
      {
        code: 'course_complete',
        awarded_at: '2026-11-23T12:01:00.000Z',
        source_signal_id: courses[0]?.id,
        points: 50,
      },
      {
        code: 'expert',
        awarded_at: '2026-11-23T12:05:00.000Z',
        source_signal_id: courses[4]?.id,
        points: 250,
      },
      { code: 'first_quiz', awarded_at: '2026-11-23T11:00:00.000Z', source_signal_id: pass.id, points: 10 },
      {
        code: 'first_video',
        awarded_at: '2026-11-23T10:01:00.000Z',
        source_signal_id: videos[0]?.id,
        points: 10,
      },
      {
        code: 'perfectionist',
        awarded_at: '2026-11-23T11:10:00.000Z',
        source_signal_id: perfect.id,
        points: 25,
      },
      {
        code: 'video_5',
        awarded_at: '2026-11-23T10:05:00.000Z',
        source_signal_id: videos[4]?.id,
        points: 25,
      },
    ])
    const badgeXp = await t.database.db
      .selectFrom('xp_ledger')
      .select(['id', 'points', 'occurred_at'])
      .where('student_id', '=', studentId)
      .where('cause', '=', 'badge')
      .orderBy('occurred_at')
      .execute()
    expect(badgeXp[0]).toEqual({
      id: `badge:${orgId}:first_video:${studentId}`,
      points: 10,
      occurred_at: '2026-11-23T10:01:00.000Z',
    })
    expect(badgeXp.reduce((sum, e) => sum + e.points, 0)).toBe(370)

    expect(await badgeCount(t.gamification, orgId, studentId)).toBe(6)
    expect((await recentAwards(t.gamification, orgId, studentId, 2)).map((a) => a.code)).toEqual([
      'expert',
      'course_complete',
    ])
    const mine = await (await signIn(t, email)).get('/api/me/badges')
    expect(mine.status).toBe(200)
    // Earned badges read as ladders (family, then threshold), not in the order they came.
    expect(mine.body.earned.map((b: { code: string }) => b.code)).toEqual([
      'first_video',
      'video_5',
      'first_quiz',
      'perfectionist',
      'course_complete',
      'expert',
    ])
    expect(mine.body.earned.at(-1)).toMatchObject({
      code: 'expert',
      awarded_at: '2026-11-23T12:05:00.000Z',
      points: 250,
    })
    const notEarned = Object.fromEntries(
      mine.body.not_earned.map((b: { code: string; progress: unknown }) => [b.code, b.progress]),
    )
    expect(notEarned).toEqual({
      video_25: { current: 5, target: 25 },
      quiz_master: { current: 2, target: 10 },
      streak_7: { current: 0, target: 7 },
      streak_30: { current: 0, target: 30 },
    })
  })

  it('awards streak badges from the best streak, even once it is broken', async () => {
    const { studentId } = await createStudent(t, orgId)
    const days = [1, 2, 3, 4, 5, 6, 7].map((d) =>
      signal(studentId, 'STREAK_DAY', `2026-11-0${d}T23:00:00.000Z`, {
        day: `2026-11-0${d}`,
        active: true,
        frozen: false,
        streak_length: d,
        freezes_held: 0,
      }),
    )
    const broken = signal(studentId, 'STREAK_DAY', '2026-11-08T23:00:00.000Z', {
      day: '2026-11-08',
      active: false,
      frozen: false,
      streak_length: 0,
      freezes_held: 0,
    })
    await emit([...days, broken])
    // The 7th day was before the school existed (2026-11-22T09:00Z): the default badge dates from then.
    expect(await awardsOf(studentId)).toEqual([
      { code: 'streak_7', awarded_at: '2026-11-22T09:00:00.000Z', source_signal_id: null, points: 50 },
    ])
  })

  it('never awards twice on retried or replayed signals, and a rebuild gives the same rows', async () => {
    const { studentId } = await createStudent(t, orgId)
    const first = signal(studentId, 'VIDEO_COMPLETED', '2026-11-23T14:00:00.000Z')
    await emit([first])
    await emit([first])
    await emit([{ ...first }])
    expect(await codesOf(studentId)).toEqual(['first_video'])
    const counter = await t.database.db
      .selectFrom('gamification_counter')
      .select('value')
      .where('org_id', '=', orgId)
      .where('student_id', '=', studentId)
      .where('key', '=', 'count:VIDEO_COMPLETED')
      .executeTakeFirst()
    expect(counter?.value).toBe(1)

    const before = await derived()
    // Running again finds nothing new; a rebuild (twice) derives the same awards, counters, XP and scores.
    expect(
      (await runProjector(t.database.db, trackingEvents, reactor('gamification_badges'), t.clock)).processed,
    ).toBe(0)
    await rebuildBadges()
    await rebuildBadges()
    expect(await derived()).toEqual(before)
    const xpRebuilt = await rebuildProjection(
      t.database.db,
      trackingEvents,
      reactor('gamification_xp'),
      t.clock,
    )
    expect(xpRebuilt.failed).toBeNull()
    expect(await derived()).toEqual(before)
  })

  it('awards a badge created later to those who already qualify, at its creation, as a rebuild does', async () => {
    const early = (await createStudent(t, orgId)).studentId
    const late = (await createStudent(t, orgId)).studentId
    await emit([
      signal(early, 'COURSE_COMPLETED', '2026-11-23T15:00:00.000Z'),
      signal(early, 'COURSE_COMPLETED', '2026-11-23T15:30:00.000Z'),
      signal(late, 'COURSE_COMPLETED', '2026-11-23T16:00:00.000Z'),
    ])
    t.clock.set('2026-11-24T12:00:00.000Z')
    const created = await admin.post('/api/gamification/badges', {
      code: 'two_courses',
      name: 'Deux parcours',
      icon: '🥈',
      criteria: { count: { signal: 'COURSE_COMPLETED' }, gte: 2 },
      points_reward: 30,
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body).toMatchObject({
      id: `${orgId}:two_courses`,
      active: true,
      // `early`, and the student of the first test who completed 5 courses.
      awarded_count: 2,
      created_at: '2026-11-24T12:00:00.000Z',
    })
    const second = signal(late, 'COURSE_COMPLETED', '2026-11-24T15:00:00.000Z')
    await emit([second])
    const award = async (studentId: string) =>
      (await awardsOf(studentId)).find((a) => a.code === 'two_courses')
    expect(await award(early)).toEqual({
      code: 'two_courses',
      awarded_at: '2026-11-24T12:00:00.000Z',
      source_signal_id: null,
      points: 30,
    })
    expect(await award(late)).toMatchObject({
      awarded_at: '2026-11-24T15:00:00.000Z',
      source_signal_id: second.id,
    })

    const before = await derived()
    await rebuildBadges()
    expect(await derived()).toEqual(before)
  })

  it('does not award a deactivated badge, awards on reactivation, and keeps earlier awards on rebuild', async () => {
    t.clock.set('2026-11-25T08:00:00.000Z')
    const created = await admin.post('/api/gamification/badges', {
      code: 'three_quizzes',
      name: 'Trois quiz',
      criteria: { count: { signal: 'QUIZ_PASSED' }, gte: 3 },
      points_reward: 15,
    })
    const badgeId = created.body.id as string
    const before = (await createStudent(t, orgId)).studentId
    const during = (await createStudent(t, orgId)).studentId
    const quizzes = (studentId: string, hour: number) =>
      [0, 1, 2].map((m) =>
        signal(studentId, 'QUIZ_PASSED', `2026-11-25T${String(hour).padStart(2, '0')}:0${m}:00.000Z`, {
          score: 5,
          max_score: 10,
        }),
      )
    await emit(quizzes(before, 9))
    expect(await codesOf(before)).toContain('three_quizzes')

    t.clock.set('2026-11-25T10:00:00.000Z')
    const off = await admin.patch(`/api/gamification/badges/${badgeId}`, { active: false })
    expect(off.status).toBe(200)
    expect(off.body).toMatchObject({ active: false, awarded_count: 1 })
    await emit(quizzes(during, 11))
    expect(await codesOf(during)).not.toContain('three_quizzes')
    const student = await signedInMember(t, orgId, 'student')
    const listed = (await student.client.get('/api/gamification/badges')).body as { code: string }[]
    expect(listed.map((b) => b.code)).not.toContain('three_quizzes')
    const staffList = (await admin.get('/api/gamification/badges')).body as {
      code: string
      active: boolean
    }[]
    expect(staffList.find((b) => b.code === 'three_quizzes')?.active).toBe(false)

    t.clock.set('2026-11-25T12:00:00.000Z')
    expect(
      (await admin.patch(`/api/gamification/badges/${badgeId}`, { active: true })).body.awarded_count,
    ).toBe(2)
    const award = async (studentId: string) =>
      (await awardsOf(studentId)).find((a) => a.code === 'three_quizzes')
    expect(await award(before)).toMatchObject({ awarded_at: '2026-11-25T09:02:00.000Z' })
    expect(await award(during)).toEqual({
      code: 'three_quizzes',
      awarded_at: '2026-11-25T12:00:00.000Z',
      source_signal_id: null,
      points: 15,
    })
    const snapshot = await derived()
    await rebuildBadges()
    expect(await derived()).toEqual(snapshot)
  })

  it('changes criteria only while nobody holds the badge, and then awards under the new ones', async () => {
    t.clock.set('2026-11-26T08:00:00.000Z')
    const held = await admin.patch(`/api/gamification/badges/${orgId}:first_video`, {
      criteria: { count: { signal: 'VIDEO_COMPLETED' }, gte: 2 },
    })
    expect(held.status).toBe(409)
    expect(held.body.error.code).toBe('badge_awarded')
    // The same criteria again is no change: allowed, with the other fields.
    const renamed = await admin.patch(`/api/gamification/badges/${orgId}:first_video`, {
      name: 'Clap de début',
      criteria: { gte: 1, count: { signal: 'VIDEO_COMPLETED' } },
    })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ name: 'Clap de début', points_reward: 10 })

    const unheld = await admin.post('/api/gamification/badges', {
      code: 'hundred_courses',
      name: 'Cent parcours',
      criteria: { count: { signal: 'COURSE_COMPLETED' }, gte: 100 },
      points_reward: 0,
    })
    expect(unheld.body.awarded_count).toBe(0)
    t.clock.set('2026-11-26T09:00:00.000Z')
    const easier = await admin.patch(`/api/gamification/badges/${unheld.body.id}`, {
      criteria: { any: [{ count: { signal: 'COURSE_COMPLETED' }, gte: 5 }, { streak: { gte: 7 } }] },
    })
    expect(easier.status).toBe(200)
    // The student of the first test (5 courses) and the one with a 7-day streak.
    expect(easier.body.awarded_count).toBe(2)
    const awards = await t.database.db
      .selectFrom('gamification_award')
      .select(['awarded_at', 'points'])
      .where('badge_id', '=', unheld.body.id)
      .execute()
    expect(awards).toEqual([
      { awarded_at: '2026-11-26T09:00:00.000Z', points: 0 },
      { awarded_at: '2026-11-26T09:00:00.000Z', points: 0 },
    ])
    const snapshot = await derived()
    await rebuildBadges()
    expect(await derived()).toEqual(snapshot)
  })

  it('lets only admins write badges and refuses bad ones', async () => {
    const body = {
      code: 'night_owl',
      name: 'Night owl',
      criteria: { count: { signal: 'VIDEO_COMPLETED' }, gte: 3 },
      points_reward: 5,
    }
    for (const role of ['student', 'instructor', 'support'] as const) {
      const member = await signedInMember(t, orgId, role)
      expect((await member.client.post('/api/gamification/badges', body)).status, role).toBe(403)
      expect(
        (await member.client.patch(`/api/gamification/badges/${orgId}:first_video`, { active: false }))
          .status,
        role,
      ).toBe(403)
    }
    const owner = (await signedInMember(t, orgId, 'owner')).client
    for (const bad of [
      { ...body, criteria: { count: { signal: 'VIDEO_COMPLETED' }, gte: 0 } },
      { ...body, criteria: { count: { signal: 'LOGGED_IN' }, gte: 1 } },
      { ...body, criteria: { count: { signal: 'VIDEO_COMPLETED', perfect: true }, gte: 1 } },
      { ...body, criteria: { all: [] } },
      { ...body, code: 'Night Owl' },
      { ...body, points_reward: -1 },
    ]) {
      const res = await owner.post('/api/gamification/badges', bad)
      expect(res.status, JSON.stringify(bad)).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
    }
    expect((await owner.patch(`/api/gamification/badges/${orgId}:first_video`, {})).status).toBe(400)
    expect((await owner.post('/api/gamification/badges', body)).status).toBe(201)
    const again = await owner.post('/api/gamification/badges', body)
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('badge_code_taken')
    expect((await owner.post('/api/gamification/badges', { ...body, code: 'first_video' })).status).toBe(409)
    expect((await owner.patch(`/api/gamification/badges/${orgId}:nope`, { active: false })).status).toBe(404)
  })

  it("keeps each school's badges and awards to itself", async () => {
    const other = await createOrg(t, `other-${dialect}`)
    const otherAdmin = (await signedInMember(t, other.id, 'admin')).client
    const theirs = (await otherAdmin.get('/api/gamification/badges')).body as {
      id: string
      awarded_count: number
    }[]
    expect(theirs).toHaveLength(10)
    expect(theirs.every((b) => b.id.startsWith(`${other.id}:`) && b.awarded_count === 0)).toBe(true)
    expect(
      (await otherAdmin.patch(`/api/gamification/badges/${orgId}:first_video`, { active: false })).status,
    ).toBe(404)
    const otherStudent = await signedInMember(t, other.id, 'student')
    const mine = await otherStudent.client.get('/api/me/badges')
    expect(mine.body.earned).toEqual([])
    expect(mine.body.not_earned).toHaveLength(10)
    expect((await t.client().get('/api/gamification/badges')).status).toBe(401)
  })

  it('gives each new school the default badges as it is created, named in its language', async () => {
    t.clock.set('2026-11-23T08:00:00.000Z')
    const english = await createOrganisation(t.identity, {
      slug: `english-${dialect}`,
      name: 'English school',
      default_locale: 'en',
      timezone: 'Europe/London',
    })
    const stored = await t.database.db
      .selectFrom('gamification_badge')
      .select(['code', 'name', 'active', 'created_at'])
      .where('org_id', '=', english.id)
      .orderBy('code')
      .execute()
    expect(stored).toHaveLength(10)
    expect(stored.find((b) => b.code === 'perfectionist')).toEqual({
      code: 'perfectionist',
      name: 'Perfectionist',
      active: 1,
      created_at: '2026-11-23T08:00:00.000Z',
    })
    const englishAdmin = (await signedInMember(t, english.id, 'admin')).client
    const names = async (client: TestClient) =>
      Object.fromEntries(
        ((await client.get('/api/gamification/badges')).body as { code: string; name: string }[]).map((b) => [
          b.code,
          b.name,
        ]),
      )
    expect((await names(englishAdmin)).perfectionist).toBe('Perfectionist')
    expect((await names(admin)).perfectionist).toBe('Perfectionniste')
  })

  it('gives the first video badge to a student who watches a video through the API', async () => {
    t.clock.set('2026-11-27T09:00:00.000Z')
    const author = (await signedInMember(t, orgId, 'instructor')).client
    const student = await createStudent(t, orgId)
    const course = (await author.post('/api/lms/courses', { name: 'Path', student_ids: [student.studentId] }))
      .body
    const step = await author.post('/api/lms/classes', {
      course_id: course.id,
      name: 'Video',
      step_type: 'video',
      video: { source: 'url', url: 'https://v.example/a.mp4', duration_sec: 40 },
    })
    expect((await author.post(`/api/courses/${course.id}/publish`)).status).toBe(200)
    const client = await signIn(t, student.email)
    let position = 0
    await client.post('/api/video-event', { class_id: step.body.id, position: 0 })
    while (position < 40) {
      t.clock.advance(10_000)
      position += 20
      expect(
        (await client.post('/api/video-event', { class_id: step.body.id, position, playback_rate: 2 }))
          .status,
      ).toBe(200)
    }
    const mine = await client.get('/api/me/badges')
    // A one-step course: watching the video completes it too.
    expect(mine.body.earned.map((b: { code: string }) => b.code).sort()).toEqual([
      'course_complete',
      'first_video',
    ])
    expect(mine.body.earned[0].awarded_at).toBe(t.clock.now().toISOString())
  })
})
