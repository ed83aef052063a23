import { localDay } from '../../../core/calendar.ts'
import type { Db } from '../../../core/db/database.ts'
import type { SignalReactor } from '../../../core/events/projector.ts'
import {
  type DecodedSignal,
  type SignalBodyOf,
  type SignalOf,
  signalContract,
} from '../../../core/events/signal-log.ts'
import {
  QuizAttemptedSignal,
  QuizPassedSignal,
  StepCompletedSignal,
  VideoCompletedSignal,
} from '../../progress/index.ts'
import { StreakDaySignal } from '../contract.ts'
import * as repo from '../repository/index.ts'
import { readSettings } from '../rules/settings.ts'
import type { GamificationDeps } from '../service.ts'
import type { ActivityDayRow, StreakRow } from '../tables.ts'
import { timezonesOf } from './time-zones.ts'

/** Every signal type a school may choose to make a day count (as settings.ts allows), and closed days. */
const streakSignals = signalContract(
  StepCompletedSignal,
  VideoCompletedSignal,
  QuizPassedSignal,
  QuizAttemptedSignal,
  StreakDaySignal,
)

type ClosedDay = SignalOf<typeof closedDays>
const closedDays = signalContract(StreakDaySignal)

async function recordActivity(deps: GamificationDeps, db: Db, signals: DecodedSignal[]) {
  if (signals.length === 0) return
  const orgIds = [...new Set(signals.map((s) => s.org_id))]
  const stored = await repo.findSettingsOf(db, orgIds)
  const zones = await timezonesOf(deps.identity, db, orgIds)
  const days = new Map<string, ActivityDayRow>()
  for (const s of signals) {
    const { streaks } = readSettings(stored.get(s.org_id) ?? null)
    if (!(streaks.qualifying_signals as string[]).includes(s.type)) continue
    const day = localDay(s.occurred_at, zones.get(s.org_id) as string)
    days.set(`${s.org_id}|${s.student_id}|${day}`, { org_id: s.org_id, student_id: s.student_id, day })
  }
  await repo.addActivityDays(db, [...days.values()])
}

async function recordClosedDays(db: Db, signals: ClosedDay[]) {
  if (signals.length === 0) return
  await repo.saveStreakDays(
    db,
    signals.map((s) => {
      const d = s.payload
      return {
        org_id: s.org_id,
        student_id: s.student_id,
        day: d.day,
        active: d.active ? 1 : 0,
        frozen: d.frozen ? 1 : 0,
        streak_length: d.streak_length,
        freezes_held: d.freezes_held,
      }
    }),
  )
  const states = new Map<string, StreakRow>()
  for (const orgId of new Set(signals.map((s) => s.org_id))) {
    const students = [...new Set(signals.filter((s) => s.org_id === orgId).map((s) => s.student_id))]
    for (const row of await repo.streakStatesOf(db, orgId, students)) {
      states.set(`${orgId}|${row.student_id}`, row)
    }
  }
  for (const s of signals) {
    const d = s.payload
    const key = `${s.org_id}|${s.student_id}`
    const state = states.get(key)
    const lastActive = d.active ? d.day : null
    // A day older than the last one closed (a replay of a catch-up in another order) only adds to records.
    if (state && d.day <= state.last_closed_day) {
      state.longest = Math.max(state.longest, d.streak_length)
      if (lastActive && (state.last_active_day === null || lastActive > state.last_active_day)) {
        state.last_active_day = lastActive
      }
      continue
    }
    states.set(key, {
      org_id: s.org_id,
      student_id: s.student_id,
      last_closed_day: d.day,
      streak_length: d.streak_length,
      longest: Math.max(state?.longest ?? 0, d.streak_length),
      freezes_held: d.freezes_held,
      last_active_day: lastActive ?? state?.last_active_day ?? null,
      updated_at: s.occurred_at,
    })
  }
  await repo.saveStreakStates(db, [...states.values()])
}

/**
 * Streaks from the signal log: the days each student was active (a qualifying signal, in the school's time
 * zone, as the school's settings say), and, from STREAK_DAY signals (appended by the daily close), the
 * history of closed days and where each streak stands.
 */
export function streaksReactor(deps: GamificationDeps): SignalReactor<SignalBodyOf<typeof streakSignals>> {
  return {
    name: 'gamification_streaks',
    reads: 'signals',
    signals: streakSignals,
    async apply(db, signals) {
      await recordActivity(
        deps,
        db,
        signals.filter((s) => s.type !== 'STREAK_DAY'),
      )
      await recordClosedDays(
        db,
        signals.filter((s): s is ClosedDay => s.type === 'STREAK_DAY'),
      )
    },
    async reset(db) {
      await repo.deleteStreaks(db)
    },
  }
}
