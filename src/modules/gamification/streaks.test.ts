import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, createStudent } from '../../../test/helpers/factories.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { appendSignals } from '../../core/events/signal-log.ts'
import { runJobByHand } from '../../core/jobs/commands.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import { createOrganisation } from '../identity/index.ts'
import { trackingEvents } from '../tracking/index.ts'
import { streakCalendar, streakOf, updateSettings, xpSummary } from './index.ts'
import { closeStreakDays } from './jobs/close-streak-day.ts'
import { streaksReactor } from './projections/streaks.ts'

const silent = pino({ level: 'silent' })

describe.each(testDialects())('streaks on %s', (dialect) => {
  let t: TestApp
  let paris: string
  let newYork: string
  let n = 0

  beforeAll(async () => {
    t = await startTestApp(dialect)
    paris = (await createOrg(t)).id
    newYork = (
      await createOrganisation(t.identity, {
        slug: `ny-${Date.now().toString(36)}`,
        name: 'New York school',
        default_locale: 'en',
        timezone: 'America/New_York',
      })
    ).id
    // A freeze every 2 active days, at most 1 held: short enough to see earning and spending.
    await updateSettings(t.gamification, paris, { streaks: { freeze_every_days: 2, max_freezes: 1 } })
  })
  afterAll(() => t.close())

  /** A completed step of the student at `at` (the default qualifying signal), projected at once. */
  async function completeStep(orgId: string, studentId: string, at: string) {
    n += 1
    const signal = {
      id: `STEP_COMPLETED:${studentId}:step-${n}`,
      type: 'STEP_COMPLETED',
      org_id: orgId,
      student_id: studentId,
      course_id: 'course-streaks',
      class_id: `step-${n}`,
      occurred_at: at,
      source_event_ids: [],
      payload: { step_index: 0, step_type: 'reading' },
    }
    await t.database.db.transaction().execute((trx) => appendSignals(trx, [signal], at))
    await t.project()
  }

  /** Runs the nightly close as the scheduler would for the period containing `at`, for one school. */
  async function runClose(orgId: string, at: string, expected = 'ok') {
    t.clock.set(at)
    const job = t.jobs.find('gamification.close-streak-day') as ScheduledJob
    const runs = await runJobByHand(
      { db: t.database.db, clock: t.clock, logger: silent, registry: t.jobs },
      job,
      new Date(at),
      orgId,
    )
    expect(runs.map((r) => [r.result.outcome, r.result.error])).toEqual([[expected, null]])
    await t.project()
  }

  async function history(studentId: string) {
    const rows = await t.database.db
      .selectFrom('v_streak_history')
      .select(['day', 'active', 'frozen', 'streak_length', 'freezes_held'])
      .where('student_id', '=', studentId)
      .orderBy('day')
      .execute()
    return rows.map((r) => [r.day, r.active, r.frozen, r.streak_length, r.freezes_held])
  }

  async function streakSignals(studentId: string) {
    const rows = await t.database.db
      .selectFrom('lms_signal')
      .select(['id', 'occurred_at'])
      .where('student_id', '=', studentId)
      .where('type', '=', 'STREAK_DAY')
      .orderBy('seq')
      .execute()
    return rows.map((r) => r.id)
  }

  /** Every streak row of the school, to compare before and after. */
  async function snapshot(orgId: string) {
    const db = t.database.db
    return {
      days: await db
        .selectFrom('gamification_activity_day')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('student_id')
        .orderBy('day')
        .execute(),
      history: await db
        .selectFrom('v_streak_history')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('student_id')
        .orderBy('day')
        .execute(),
      states: await db
        .selectFrom('gamification_streak')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('student_id')
        .execute(),
      signals: await db
        .selectFrom('lms_signal')
        .select(['id', 'occurred_at', 'payload_json'])
        .where('org_id', '=', orgId)
        .where('type', '=', 'STREAK_DAY')
        .orderBy('id')
        .execute(),
    }
  }

  it("counts a day in the school's time zone: the same instant is another day in Paris and New York", async () => {
    const inParis = (await createStudent(t, paris)).studentId
    const inNewYork = (await createStudent(t, newYork)).studentId
    // 03:30 UTC on 23 November: 04:30 on the 23rd in Paris, 22:30 on the 22nd in New York.
    await completeStep(paris, inParis, '2026-11-23T03:30:00.000Z')
    await completeStep(newYork, inNewYork, '2026-11-23T03:30:00.000Z')
    const days = await t.database.db
      .selectFrom('gamification_activity_day')
      .select(['student_id', 'day'])
      .where('student_id', 'in', [inParis, inNewYork])
      .execute()
    expect(new Map(days.map((d) => [d.student_id, d.day]))).toEqual(
      new Map([
        [inParis, '2026-11-23'],
        [inNewYork, '2026-11-22'],
      ]),
    )

    // 12:00 UTC: the 23rd in both. Paris studied today; New York studied yesterday, not yet today.
    t.clock.set('2026-11-23T12:00:00.000Z')
    expect(await streakOf(t.gamification, paris, inParis)).toEqual({
      current: 1,
      longest: 1,
      active_today: true,
      freezes_held: 0,
      last_active_day: '2026-11-23',
      at_risk_today: false,
    })
    expect(await streakOf(t.gamification, newYork, inNewYork)).toEqual({
      current: 1,
      longest: 1,
      active_today: false,
      freezes_held: 0,
      last_active_day: '2026-11-22',
      at_risk_today: true,
    })

    // Each school's night closes its own day: 00:05 in New York (05:05 UTC) closes the 22nd there.
    await runClose(newYork, '2026-11-23T05:10:00.000Z')
    expect(await streakSignals(inNewYork)).toEqual([`STREAK_DAY:${inNewYork}:2026-11-22`])
    expect(await history(inNewYork)).toEqual([['2026-11-22', 1, 0, 1, 0]])
    const [signal] = await t.database.db
      .selectFrom('lms_signal')
      .select(['occurred_at', 'course_id'])
      .where('id', '=', `STREAK_DAY:${inNewYork}:2026-11-22`)
      .execute()
    // Dated at the last instant of the day it closes (23:59:59.999 in New York).
    expect(signal).toEqual({ occurred_at: '2026-11-23T04:59:59.999Z', course_id: null })
    // Paris's night of the 23rd to the 24th starts at 23:00 UTC: the job closes the 23rd there.
    await runClose(paris, '2026-11-23T23:05:00.000Z')
    expect(await history(inParis)).toEqual([['2026-11-23', 1, 0, 1, 0]])
    // The active day earned the streak-day XP (5).
    expect((await xpSummary(t.gamification, paris, inParis)).total).toBe(5)
  })

  it('earns a freeze, spends it on a missed day, then breaks the streak when none is left', async () => {
    const student = (await createStudent(t, paris)).studentId
    // Active on 1 and 2 December (Paris): the second active day earns the one freeze allowed.
    await completeStep(paris, student, '2026-12-01T10:00:00.000Z')
    await runClose(paris, '2026-12-02T08:00:00.000Z')
    await completeStep(paris, student, '2026-12-02T10:00:00.000Z')
    await runClose(paris, '2026-12-03T08:00:00.000Z')
    expect(await streakOf(t.gamification, paris, student)).toMatchObject({
      current: 2,
      freezes_held: 1,
      at_risk_today: true,
    })
    // Nothing on the 3rd: the freeze keeps the streak. Nothing on the 4th: it breaks.
    await runClose(paris, '2026-12-04T08:00:00.000Z')
    expect(await streakOf(t.gamification, paris, student)).toMatchObject({
      current: 2,
      freezes_held: 0,
      at_risk_today: true,
    })
    await runClose(paris, '2026-12-05T08:00:00.000Z')
    expect(await history(student)).toEqual([
      ['2026-12-01', 1, 0, 1, 0],
      ['2026-12-02', 1, 0, 2, 1],
      ['2026-12-03', 0, 1, 2, 0],
      ['2026-12-04', 0, 0, 0, 0],
    ])
    expect(await streakOf(t.gamification, paris, student)).toEqual({
      current: 0,
      longest: 2,
      active_today: false,
      freezes_held: 0,
      last_active_day: '2026-12-02',
      at_risk_today: false,
    })
    // The broken streak is not carried on: the next night has nobody to close for this student.
    await runClose(paris, '2026-12-06T08:00:00.000Z')
    expect(await history(student)).toHaveLength(4)
    // Two active days paid; neither the frozen day nor the break did.
    expect((await xpSummary(t.gamification, paris, student)).total).toBe(10)
    expect(await streakCalendar(t.gamification, paris, student, '2026-12-02', '2026-12-03')).toEqual([
      { day: '2026-12-02', active: true, frozen: false, streak_length: 2, freezes_held: 1 },
      { day: '2026-12-03', active: false, frozen: true, streak_length: 2, freezes_held: 0 },
    ])
  })

  it('changes nothing when the close runs again for the same period', async () => {
    const student = (await createStudent(t, paris)).studentId
    await completeStep(paris, student, '2026-12-10T10:00:00.000Z')
    await runClose(paris, '2026-12-11T08:00:00.000Z')
    const before = await snapshot(paris)
    // The runner refuses a second run of the period; the close itself adds nothing when forced to run.
    await runClose(paris, '2026-12-11T09:00:00.000Z', 'skipped')
    const again = await closeStreakDays(
      t.gamification,
      paris,
      'Europe/Paris',
      new Date('2026-12-11T08:00:00Z'),
    )
    expect(again.days).toBe(0)
    await t.project()
    expect(await snapshot(paris)).toEqual(before)
    expect(await streakSignals(student)).toEqual([`STREAK_DAY:${student}:2026-12-10`])
  })

  it('catches up every day never closed, in order, when the job was down', async () => {
    const student = (await createStudent(t, paris)).studentId
    for (const day of ['2026-12-14', '2026-12-15', '2026-12-16']) {
      await completeStep(paris, student, `${day}T10:00:00.000Z`)
    }
    // No close from the 15th to the 18th; the run of the 19th closes the 14th to the 18th.
    await runClose(paris, '2026-12-19T08:00:00.000Z')
    expect(await streakSignals(student)).toEqual(
      ['2026-12-14', '2026-12-15', '2026-12-16', '2026-12-17', '2026-12-18'].map(
        (day) => `STREAK_DAY:${student}:${day}`,
      ),
    )
    expect(await history(student)).toEqual([
      ['2026-12-14', 1, 0, 1, 0],
      ['2026-12-15', 1, 0, 2, 1],
      ['2026-12-16', 1, 0, 3, 1],
      ['2026-12-17', 0, 1, 3, 0],
      ['2026-12-18', 0, 0, 0, 0],
    ])
  })

  it('keeps the current streak right between runs of the job', async () => {
    const student = (await createStudent(t, paris)).studentId
    await completeStep(paris, student, '2027-01-04T10:00:00.000Z')
    await runClose(paris, '2027-01-05T08:00:00.000Z')
    await completeStep(paris, student, '2027-01-05T10:00:00.000Z')
    await completeStep(paris, student, '2027-01-06T10:00:00.000Z')
    // The 5th is not closed yet (the job is late): it counts anyway; today (the 7th) not yet.
    t.clock.set('2027-01-07T07:00:00.000Z')
    expect(await streakOf(t.gamification, paris, student)).toEqual({
      current: 3,
      longest: 3,
      active_today: false,
      freezes_held: 1,
      last_active_day: '2027-01-06',
      at_risk_today: true,
    })
    // Active today, before the night: the day counts at once.
    await completeStep(paris, student, '2027-01-07T21:00:00.000Z')
    t.clock.set('2027-01-07T22:30:00.000Z') // 23:30 in Paris
    expect(await streakOf(t.gamification, paris, student)).toMatchObject({
      current: 4,
      active_today: true,
      at_risk_today: false,
    })
    expect(
      (await streakCalendar(t.gamification, paris, student, '2027-01-01', '2027-01-31')).map((d) => d.day),
    ).toEqual(['2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07'])
    // The close agrees with what was read before it.
    await runClose(paris, '2027-01-08T08:00:00.000Z')
    t.clock.set('2027-01-08T09:00:00.000Z')
    expect(await streakOf(t.gamification, paris, student)).toMatchObject({ current: 4, at_risk_today: true })
    expect(await history(student)).toHaveLength(4)
  })

  it('refuses a calendar range that is not two days in order', async () => {
    const student = (await createStudent(t, paris)).studentId
    for (const [from, to] of [
      ['2026-12-02', '2026-12-01'],
      ['2026-02-30', '2026-03-01'],
      ['2020-01-01', '2026-01-01'],
    ] as const) {
      await expect(streakCalendar(t.gamification, paris, student, from, to)).rejects.toMatchObject({
        status: 400,
        code: 'invalid_range',
      })
    }
  })

  it('rebuilds the same rows from the signal log', async () => {
    const before = await snapshot(paris)
    const run = await rebuildProjection(
      t.database.db,
      trackingEvents,
      streaksReactor(t.gamification),
      t.clock,
    )
    expect(run.failed).toBeNull()
    expect(await snapshot(paris)).toEqual(before)
  })
})
