import { appendSignals, type NewSignal } from '../../../core/events/signal-log.ts'
import type { ScheduledJob } from '../../../core/jobs/job.ts'
import { heartsReactor } from '../projections/hearts.ts'
import * as repo from '../repository/index.ts'
import { heartTimes, regenerate } from '../rules/hearts.ts'
import { type GamificationDeps, settingsOf } from '../service.ts'
import { catchUpReactor } from './catch-up.ts'

/**
 * Stores the hearts regained by `at` (reads compute them anyway: this keeps the rows, the out-of-hearts
 * lists and notifications current). Each refill is a HEART_REFILLED signal identified by the student and
 * the instant the heart came back, so running again for the same time, or a later one, never refills twice.
 */
export async function regenerateHearts(deps: GamificationDeps, at: Date) {
  // Rows must include every loss appended so far, or a refill could predate a loss not yet applied.
  await catchUpReactor(deps, heartsReactor)
  const signals: NewSignal[] = []
  for (const orgId of await repo.orgsRegeneratingHearts(deps.db)) {
    const { hearts: rules } = await settingsOf(deps, orgId)
    if (!rules.enabled) continue
    for (const row of await repo.heartsBelow(deps.db, orgId, rules.max_hearts)) {
      const { state, last_refill_at } = regenerate(row, at.toISOString(), rules)
      if (!last_refill_at) continue
      signals.push({
        id: `HEART_REFILLED:${row.student_id}:${last_refill_at}`,
        type: 'HEART_REFILLED',
        org_id: orgId,
        student_id: row.student_id,
        course_id: null,
        class_id: null,
        occurred_at: last_refill_at,
        source_event_ids: [],
        payload: {
          hearts_before: row.hearts,
          hearts_after: state.hearts,
          next_heart_at: heartTimes(state, rules).next_heart_at,
        },
      })
    }
  }
  const now = deps.clock.now().toISOString()
  await deps.db.transaction().execute((trx) => appendSignals(trx, signals, now))
  await catchUpReactor(deps, heartsReactor)
  return { refilled: signals.length }
}

/** Every quarter of an hour, stores the hearts that came back. */
export function regenerateHeartsJob(deps: GamificationDeps): ScheduledJob {
  return {
    name: 'gamification.regenerate-hearts',
    description: 'Stores the hearts students regained (one per regeneration interval) as HEART_REFILLED',
    schedule: { cron: '*/15 * * * *', timezone: 'UTC' },
    run: async (ctx) => {
      const result = await regenerateHearts(deps, ctx.scheduledAt)
      ctx.logger.info(result, 'hearts regenerated')
      return result
    },
  }
}
