import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, createStudent, signedInMember } from '../../../test/helpers/factories.ts'
import { typicalPayload } from '../../../test/helpers/signals.ts'
import { rebuildProjection, runProjector } from '../../core/events/projector.ts'
import { appendSignals, type NewSignal } from '../../core/events/signal-log.ts'
import { trackingEvents } from '../tracking/index.ts'
import { levelOf, xpSummary } from './index.ts'
import { xpReactor } from './projections/xp.ts'

describe('levels', () => {
  it('start at 0, 100, 300, 600 and 1000 XP', () => {
    expect([0, 99, 100, 299, 300, 600, 999, 1000].map((xp) => levelOf(xp).level)).toEqual([
      1, 1, 2, 2, 3, 4, 4, 5,
    ])
    expect(levelOf(150)).toEqual({ level: 2, xp: 150, level_start_xp: 100, next_level_xp: 300 })
  })

  it('never go down as XP grows', () => {
    let previous = 1
    for (let xp = 0; xp < 200_000; xp += 37) {
      const { level, level_start_xp, next_level_xp } = levelOf(xp)
      expect(level).toBeGreaterThanOrEqual(previous)
      expect(xp).toBeGreaterThanOrEqual(level_start_xp)
      expect(xp).toBeLessThan(next_level_xp)
      previous = level
    }
  })
})

describe.each(testDialects())('XP on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let studentId: string
  let n = 0

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    studentId = (await createStudent(t, orgId)).studentId
  })
  afterAll(() => t.close())

  function signal(type: string, payload: Record<string, unknown>, at: string): NewSignal {
    n += 1
    return {
      id: `${type}:${studentId}:subject-${n}`,
      type,
      org_id: orgId,
      student_id: studentId,
      course_id: type === 'STREAK_DAY' ? null : 'course-xp',
      class_id: null,
      occurred_at: at,
      source_event_ids: [],
      payload: typicalPayload(type, payload),
    }
  }

  async function emit(signals: NewSignal[]) {
    await t.database.db
      .transaction()
      .execute((trx) => appendSignals(trx, signals, t.clock.now().toISOString()))
    const run = await runProjector(t.database.db, trackingEvents, xpReactor(t), t.clock)
    expect(run.failed).toBeNull()
  }

  const summary = () => xpSummary(t.gamification, orgId, studentId)

  it('pays seed 003 amounts once per cause, whatever the retries', async () => {
    t.clock.set('2026-11-25T10:00:00.000Z') // a Wednesday
    const video = signal('VIDEO_COMPLETED', {}, '2026-11-25T09:00:00.000Z')
    const passed = signal('QUIZ_PASSED', { score: 8, max_score: 10, attempts: 1 }, '2026-11-25T09:10:00.000Z')
    const perfect = signal(
      'QUIZ_PASSED',
      { score: 10, max_score: 10, attempts: 1 },
      '2026-11-25T09:20:00.000Z',
    )
    const course = signal('COURSE_COMPLETED', {}, '2026-11-25T09:30:00.000Z')
    const streak = signal('STREAK_DAY', { active: true }, '2026-11-25T09:40:00.000Z')
    const frozen = signal('STREAK_DAY', { active: false, frozen: true }, '2026-11-25T09:50:00.000Z')
    await emit([video, passed, perfect, course, streak, frozen])
    await emit([video, perfect])
    // 10 + 50 + (50 + 25) + 100 + 5, and nothing for a frozen day.
    expect(await summary()).toMatchObject({ total: 240, this_week: 240, level: { level: 2 } })
  })

  it("counts this week's XP from Monday midnight in the school's time zone", async () => {
    // Sunday 23:30 in Paris, before the week of Monday 2026-11-23 00:00 (Paris) = 2026-11-22T23:00Z.
    await emit([signal('VIDEO_COMPLETED', {}, '2026-11-22T22:30:00.000Z')])
    expect(await summary()).toMatchObject({
      total: 250,
      this_week: 240,
      week_start: '2026-11-22T23:00:00.000Z',
    })
  })

  it('pays everyone again at the new amounts after a change of settings and a rebuild', async () => {
    const admin = await signedInMember(t, orgId, 'admin')
    const changed = await admin.client.patch('/api/gamification/settings', { xp: { video_completed: 20 } })
    expect(changed.status).toBe(200)
    expect(changed.body.xp).toMatchObject({ video_completed: 20, quiz_passed: 50 })
    expect(changed.body.hearts).toMatchObject({ max_hearts: 5, regen_interval_minutes: 240 })
    expect((await summary()).total).toBe(250)
    const rebuilt = await rebuildProjection(t.database.db, trackingEvents, xpReactor(t), t.clock)
    expect(rebuilt.failed).toBeNull()
    expect((await summary()).total).toBe(270)
  })

  it('lets staff read the settings, only admins change them, and refuses bad values', async () => {
    const student = await signedInMember(t, orgId, 'student')
    expect((await student.client.get('/api/gamification/settings')).status).toBe(403)
    expect(
      (await student.client.patch('/api/gamification/settings', { xp: { quiz_passed: 1 } })).status,
    ).toBe(403)
    const instructor = await signedInMember(t, orgId, 'instructor')
    expect((await instructor.client.get('/api/gamification/settings')).body.xp.video_completed).toBe(20)
    expect(
      (await instructor.client.patch('/api/gamification/settings', { xp: { quiz_passed: 1 } })).status,
    ).toBe(403)
    const admin = await signedInMember(t, orgId, 'admin')
    const bad = await admin.client.patch('/api/gamification/settings', { xp: { quiz_passed: -5 } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('validation_failed')
    expect((await admin.client.get('/api/gamification/settings')).body.xp.quiz_passed).toBe(50)
  })

  it("keeps each school's settings and XP to itself", async () => {
    const other = await createOrg(t)
    const otherAdmin = await signedInMember(t, other.id, 'admin')
    expect((await otherAdmin.client.get('/api/gamification/settings')).body.xp.video_completed).toBe(10)
    expect((await summary()).total).toBe(270)
  })

  it("dates past XP in the school's new time zone after a change of zone and a rebuild", async () => {
    const org = await createOrg(t) // Europe/Paris
    const student = await createStudent(t, org.id)
    // Sunday 2026-11-22 23:30 UTC: Monday 00:30 in Paris, still Sunday 18:30 in New York.
    await emit([
      {
        ...signal('VIDEO_COMPLETED', {}, '2026-11-22T23:30:00.000Z'),
        id: `VIDEO_COMPLETED:${student.studentId}:zone`,
        org_id: org.id,
        student_id: student.studentId,
      },
    ])
    const boards = async () => ({
      weeks: await t.database.db
        .selectFrom('gamification_week_score')
        .select(['week', 'total_points'])
        .where('org_id', '=', org.id)
        .execute(),
      histogram: await t.database.db
        .selectFrom('gamification_score_histogram')
        .select(['board', 'total_points', 'students'])
        .where('org_id', '=', org.id)
        .where('students', '>', 0)
        .orderBy('board')
        .execute(),
    })
    expect(await boards()).toEqual({
      weeks: [{ week: '2026-11-23', total_points: 10 }],
      histogram: [
        { board: '2026-11-23', total_points: 10, students: 1 },
        { board: 'all', total_points: 10, students: 1 },
      ],
    })
    const admin = await signedInMember(t, org.id, 'admin')
    const moved = await admin.client.patch('/api/organisation', { timezone: 'America/New_York' })
    expect(moved.status, JSON.stringify(moved.body)).toBe(200)
    const rebuilt = await rebuildProjection(t.database.db, trackingEvents, xpReactor(t), t.clock)
    expect(rebuilt.failed).toBeNull()
    expect(await boards()).toEqual({
      weeks: [{ week: '2026-11-16', total_points: 10 }],
      histogram: [
        { board: '2026-11-16', total_points: 10, students: 1 },
        { board: 'all', total_points: 10, students: 1 },
      ],
    })
    expect((await summary()).total).toBe(270)
  })
})
