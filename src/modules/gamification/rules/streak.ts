import { shiftDay } from '../../../core/calendar.ts'
import type { GamificationSettings } from './settings.ts'

// Streaks as pure functions of days (YYYY-MM-DD in the school's time zone). Closing a day: active → the
// streak grows; missed with a streak running and a freeze held → the freeze is spent, the streak kept;
// missed otherwise → the streak breaks. A freeze is earned each time the streak reaches a multiple of
// `freeze_every_days` active days (Duolingo-style), up to `max_freezes` held.

export type StreakRules = GamificationSettings['streaks']

export type StreakState = {
  streak_length: number
  longest: number
  freezes_held: number
  /** The last day closed; null before the first. */
  last_closed_day: string | null
  last_active_day: string | null
}

/** What one closed day was: the payload of its STREAK_DAY signal. */
export type StreakDay = {
  day: string
  active: boolean
  frozen: boolean
  streak_length: number
  freezes_held: number
}

/** How far back a close catches up days never closed (the job was down), and reads look for activity. */
const CATCH_UP_DAYS = 60

export const noStreak: StreakState = {
  streak_length: 0,
  longest: 0,
  freezes_held: 0,
  last_closed_day: null,
  last_active_day: null,
}

/** Closes one day. */
export function closeDay(
  state: StreakState,
  day: string,
  active: boolean,
  rules: StreakRules,
): { state: StreakState; record: StreakDay } {
  if (active) {
    const length = state.streak_length + 1
    const earned = length % rules.freeze_every_days === 0 ? 1 : 0
    const freezes = Math.min(rules.max_freezes, state.freezes_held + earned)
    return {
      state: {
        streak_length: length,
        longest: Math.max(state.longest, length),
        freezes_held: freezes,
        last_closed_day: day,
        last_active_day: day,
      },
      record: { day, active: true, frozen: false, streak_length: length, freezes_held: freezes },
    }
  }
  const frozen = state.streak_length > 0 && state.freezes_held > 0
  const length = frozen ? state.streak_length : 0
  const freezes = frozen ? state.freezes_held - 1 : state.freezes_held
  return {
    state: { ...state, streak_length: length, freezes_held: freezes, last_closed_day: day },
    record: { day, active: false, frozen, streak_length: length, freezes_held: freezes },
  }
}

/**
 * Closes every day from `from` to `to` (inclusive) in order. Records only the days that mean something:
 * active days, and missed days while a streak was running (frozen, or the break). Idle days without a
 * streak advance the state silently.
 */
export function closeDays(
  state: StreakState,
  from: string,
  to: string,
  activeDays: ReadonlySet<string>,
  rules: StreakRules,
): { state: StreakState; records: StreakDay[] } {
  const records: StreakDay[] = []
  let current = state
  for (let day = from; day <= to; day = shiftDay(day, 1)) {
    const running = current.streak_length > 0
    const closed = closeDay(current, day, activeDays.has(day), rules)
    current = closed.state
    if (closed.record.active || running) records.push(closed.record)
  }
  return { state: current, records }
}

/** The first day a close should look at: after the last closed one, but no further back than the window. */
export function firstDayToClose(state: StreakState, upTo: string): string {
  const windowStart = shiftDay(upTo, -(CATCH_UP_DAYS - 1))
  const next = state.last_closed_day ? shiftDay(state.last_closed_day, 1) : windowStart
  return next > windowStart ? next : windowStart
}

export type StreakView = {
  current: number
  longest: number
  active_today: boolean
  freezes_held: number
  last_active_day: string | null
  /** A streak is running and today does not count yet: without activity it breaks (or costs a freeze). */
  at_risk_today: boolean
}

/**
 * The streak as of `today`, between closes: the days not closed yet (up to yesterday) are closed in
 * memory as the job will close them, and today counts as soon as it is active.
 */
export function streakAsOf(
  state: StreakState,
  activeDays: ReadonlySet<string>,
  today: string,
  rules: StreakRules,
): { view: StreakView; unclosed: StreakDay[] } {
  const yesterday = shiftDay(today, -1)
  const closed = closeDays(state, firstDayToClose(state, yesterday), yesterday, activeDays, rules)
  const activeToday = activeDays.has(today)
  const todays = activeToday ? closeDay(closed.state, today, true, rules) : null
  const now = todays?.state ?? closed.state
  return {
    view: {
      current: now.streak_length,
      longest: now.longest,
      active_today: activeToday,
      freezes_held: now.freezes_held,
      last_active_day: now.last_active_day,
      at_risk_today: !activeToday && closed.state.streak_length > 0,
    },
    unclosed: todays ? [...closed.records, todays.record] : closed.records,
  }
}
