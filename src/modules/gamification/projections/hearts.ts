import type { Db } from '../../../core/db/database.ts'
import type { SignalReactor } from '../../../core/events/projector.ts'
import {
  appendSignals,
  type DecodedSignal,
  type NewSignal,
  type SignalBodyOf,
  signalContract,
} from '../../../core/events/signal-log.ts'
import { QuizAttemptedSignal } from '../../progress/index.ts'
import { HeartRefilledSignal } from '../contract.ts'
import * as repo from '../repository/index.ts'
import { applyRefill, type HeartsState, heartTimes, loseHeart } from '../rules/hearts.ts'
import { type GamificationSettings, readSettings } from '../rules/settings.ts'
import type { HeartsRow } from '../tables.ts'

type Keyed = { org_id: string; student_id: string; state: HeartsState; lastAttempt: string | null }

const toState = (row: HeartsRow): HeartsState => ({
  hearts: row.hearts,
  refill_anchor_at: row.refill_anchor_at,
  updated_at: row.updated_at,
})

/** The stored hearts of the students these signals are about; absent ones are full. */
async function loadStates(db: Db, signals: DecodedSignal[]) {
  const states = new Map<string, Keyed>()
  for (const orgId of new Set(signals.map((s) => s.org_id))) {
    const students = [...new Set(signals.filter((s) => s.org_id === orgId).map((s) => s.student_id))]
    for (const row of await repo.heartsRowsOf(db, orgId, students)) {
      states.set(`${orgId}|${row.student_id}`, {
        org_id: orgId,
        student_id: row.student_id,
        state: toState(row),
        lastAttempt: row.last_attempt_event_id,
      })
    }
  }
  return states
}

/**
 * Hearts from the signal log: a failed quiz attempt (native or Tally) costs one heart, after the
 * regeneration due by the attempt's time; each loss is recorded as a HEART_LOST signal. HEART_REFILLED
 * signals (the refill job) bring the stored rows up to their time. Everything is read at the signals'
 * times, so a rebuild gives the same rows.
 */
const heartSignals = signalContract(QuizAttemptedSignal, HeartRefilledSignal)

export const heartsReactor: SignalReactor<SignalBodyOf<typeof heartSignals>> = {
  name: 'gamification_hearts',
  reads: 'signals',
  signals: heartSignals,
  async apply(db, signals) {
    const relevant = signals.filter((s) => s.type === 'HEART_REFILLED' || !s.payload.passed)
    if (relevant.length === 0) return
    const stored = await repo.findSettingsOf(db, [...new Set(relevant.map((s) => s.org_id))])
    const settingsOf = (orgId: string): GamificationSettings => readSettings(stored.get(orgId) ?? null)
    const states = await loadStates(db, relevant)
    const touched = new Set<string>()
    const losses: NewSignal[] = []
    for (const s of relevant) {
      const { hearts: rules } = settingsOf(s.org_id)
      if (!rules.enabled) continue
      const key = `${s.org_id}|${s.student_id}`
      const current = states.get(key)?.state ?? {
        hearts: rules.max_hearts,
        refill_anchor_at: null,
        updated_at: null,
      }
      let next = current
      let lastAttempt = states.get(key)?.lastAttempt ?? null
      if (s.type === 'HEART_REFILLED') next = applyRefill(current, s.occurred_at, rules)
      else {
        lastAttempt = s.source_event_ids[0] ?? lastAttempt
        const loss = loseHeart(current, s.occurred_at, rules)
        next = loss.state
        if (loss.lost) {
          losses.push({
            id: `HEART_LOST:${s.id}`,
            type: 'HEART_LOST',
            org_id: s.org_id,
            student_id: s.student_id,
            course_id: s.course_id,
            class_id: s.class_id,
            occurred_at: s.occurred_at,
            source_event_ids: s.source_event_ids,
            payload: { hearts_after: next.hearts, next_heart_at: heartTimes(next, rules).next_heart_at },
          })
        }
      }
      states.set(key, { org_id: s.org_id, student_id: s.student_id, state: next, lastAttempt })
      touched.add(key)
    }
    await repo.saveHearts(
      db,
      [...touched].map((key) => {
        const { org_id, student_id, state, lastAttempt } = states.get(key) as Keyed
        return {
          org_id,
          student_id,
          hearts: state.hearts,
          max_hearts: settingsOf(org_id).hearts.max_hearts,
          refill_anchor_at: state.refill_anchor_at,
          updated_at: state.updated_at as string,
          last_attempt_event_id: lastAttempt,
        }
      }),
    )
    // The losses are facts of their own (notifications, history); appended at the time of the attempt.
    await appendSignals(db, losses, relevant[relevant.length - 1]?.occurred_at ?? '')
  },
  async reset(db) {
    await repo.deleteHearts(db)
  },
}
