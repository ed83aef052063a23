import type { SignalReactor } from '../../../core/events/projector.ts'
import type * as identity from '../../identity/index.ts'
import * as repo from '../repository/index.ts'
import { readSettings } from '../rules/settings.ts'
import { type XpSignalBody, xpOfSignal, xpSignals } from '../rules/xp.ts'
import type { XpCause } from '../tables.ts'
import { weeklyXp } from './time-zones.ts'

export const XP_REACTOR = 'gamification_xp'

/** The causes the XP reactor writes (and deletes on its rebuild); badge XP is the badges reactor's. */
const OWN_CAUSES: XpCause[] = [
  'video_completed',
  'quiz_passed',
  'perfect_quiz',
  'course_completed',
  'streak_day',
]

/**
 * The XP ledger's entries for completed videos, passed and perfect quizzes, completed courses and streak
 * days, at the amounts each school has set. A rebuild pays everyone again at today's amounts.
 */
export function xpReactor(deps: { identity: identity.IdentityDeps }): SignalReactor<XpSignalBody> {
  return {
    name: XP_REACTOR,
    reads: 'signals',
    signals: xpSignals,
    async apply(db, signals) {
      const stored = await repo.findSettingsOf(db, [...new Set(signals.map((s) => s.org_id))])
      const entries = signals
        .flatMap((s) => xpOfSignal(s, readSettings(stored.get(s.org_id) ?? null)))
        .filter((e) => e.points > 0)
      await repo.addXp(db, await weeklyXp(deps.identity, db, entries), signals.at(-1)?.occurred_at ?? '')
    },
    async reset(db) {
      await repo.deleteXpOfCauses(db, OWN_CAUSES)
    },
  }
}
