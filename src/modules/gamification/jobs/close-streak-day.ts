import { localDay, shiftDay, startOfLocalDay } from '../../../core/calendar.ts'
import { appendSignals, type NewSignal } from '../../../core/events/signal-log.ts'
import { ORGANISATION_TIMEZONE, type ScheduledJob } from '../../../core/jobs/job.ts'
import { streaksReactor } from '../projections/streaks.ts'
import * as repo from '../repository/index.ts'
import { closeDays, firstDayToClose, noStreak, type StreakState } from '../rules/streak.ts'
import { type GamificationDeps, settingsOf } from '../service.ts'
import { catchUpReactor } from './catch-up.ts'

/**
 * Closes a school's days up to the day before `at` (in its time zone), for every student active on those
 * days or with a streak running, catching up days never closed (up to CATCH_UP_DAYS back). Each closed day
 * is a STREAK_DAY signal with a deterministic id, so closing again changes nothing.
 */
export async function closeStreakDays(deps: GamificationDeps, orgId: string, timezone: string, at: Date) {
  const reactor = streaksReactor(deps)
  // The states and activity days read below must include everything appended so far.
  await catchUpReactor(deps, reactor)
  const upTo = shiftDay(localDay(at, timezone), -1)
  const { streaks: rules } = await settingsOf(deps, orgId)
  const states = new Map<string, StreakState>(
    (await repo.streakStatesOf(deps.db, orgId)).map((row) => [row.student_id, row]),
  )
  const windowStart = firstDayToClose(noStreak, upTo)
  const activity = new Map<string, Set<string>>()
  for (const { student_id, day } of await repo.activityDaysOfOrg(deps.db, orgId, windowStart, upTo)) {
    activity.set(student_id, (activity.get(student_id) ?? new Set()).add(day))
  }
  const students = new Set([
    ...activity.keys(),
    ...[...states].filter(([, s]) => s.streak_length > 0).map(([id]) => id),
  ])
  const signals: NewSignal[] = []
  for (const studentId of [...students].sort()) {
    const state = states.get(studentId) ?? noStreak
    const { records } = closeDays(
      state,
      firstDayToClose(state, upTo),
      upTo,
      activity.get(studentId) ?? new Set(),
      rules,
    )
    for (const record of records) {
      signals.push({
        id: `STREAK_DAY:${studentId}:${record.day}`,
        type: 'STREAK_DAY',
        org_id: orgId,
        student_id: studentId,
        course_id: null,
        class_id: null,
        // The last instant of the day it closes, so that its XP falls in that day (and week).
        occurred_at: new Date(startOfLocalDay(shiftDay(record.day, 1), timezone).getTime() - 1).toISOString(),
        source_event_ids: [],
        payload: record,
      })
    }
  }
  const now = deps.clock.now().toISOString()
  await deps.db.transaction().execute((trx) => appendSignals(trx, signals, now))
  await catchUpReactor(deps, reactor)
  return { closed_up_to: upTo, students: students.size, days: signals.length }
}

/** Every night, a little after midnight in each school's time zone, closes the day that ended. */
export function closeStreakDayJob(deps: GamificationDeps): ScheduledJob {
  return {
    name: 'gamification.close-streak-day',
    description: "Closes yesterday's streak day for every student of each school (freezes, breaks)",
    schedule: { cron: '5 0 * * *', timezone: ORGANISATION_TIMEZONE },
    run: async (ctx) => {
      if (!ctx.orgId) throw new Error('gamification.close-streak-day runs per organisation')
      const result = await closeStreakDays(deps, ctx.orgId, ctx.timezone, ctx.scheduledAt)
      ctx.logger.info(result, 'streak days closed')
      return result
    },
  }
}
