import type { Db } from '../../../core/db/database.ts'
import { type IntegrationEvent, writeOutbox } from '../../../core/events/outbox.ts'
import type { EventProjector } from '../../../core/events/projector.ts'
import { appendSignals } from '../../../core/events/signal-log.ts'
import type { TrackingEvent, TrackingEventBody } from '../../tracking/index.ts'
import { evolve, type SignalDraft, type StepProgress } from '../rules/evolve.ts'

/** The integration events (the public contract, version 1) that some signals publish. */
function integrationEventOf(signal: SignalDraft): IntegrationEvent[] {
  const base = { student_id: signal.student_id, course_id: signal.course_id }
  const event = (type: string, data: Record<string, unknown>): IntegrationEvent[] => [
    {
      id: `${type}:${signal.id}`,
      org_id: signal.org_id,
      type,
      version: 1,
      occurred_at: signal.occurred_at,
      data,
    },
  ]
  switch (signal.type) {
    case 'STEP_COMPLETED':
      return event('learner.step_completed', {
        ...base,
        class_id: signal.class_id,
        step_index: signal.payload.step_index,
        completed_at: signal.occurred_at,
      })
    case 'COURSE_COMPLETED':
      return event('learner.course_completed', { ...base, completed_at: signal.occurred_at })
    case 'QUIZ_PASSED':
      return event('learner.quiz_passed', {
        ...base,
        class_id: signal.class_id,
        score: signal.payload.score,
        max_score: signal.payload.max_score,
        attempts: signal.payload.attempts,
        passed_at: signal.occurred_at,
      })
    default:
      return []
  }
}

async function loadStates(db: Db, events: TrackingEvent[]) {
  const students = [...new Set(events.map((e) => e.student_id))]
  const classes = [...new Set(events.map((e) => e.class_id ?? ''))]
  const rows = await db
    .selectFrom('v_user_progress')
    .selectAll()
    .where('student_id', 'in', students)
    .where('class_id', 'in', classes)
    .execute()
  return new Map(rows.map((r) => [`${r.student_id}|${r.class_id}`, { ...r, last_seq: Number(r.last_seq) }]))
}

/** `v_user_progress` and `lms_signal`, kept from VIDEO_PING, QUIZ_SUBMIT and STEP_ACK events. */
export const userProgressProjector: EventProjector<TrackingEventBody> = {
  name: 'user_progress',
  async apply(db, events) {
    const relevant = events.filter((e) => e.class_id)
    if (relevant.length === 0) return
    const states = await loadStates(db, relevant)
    const changed = new Map<string, StepProgress>()
    const signals: SignalDraft[] = []
    for (const event of relevant) {
      const key = `${event.student_id}|${event.class_id}`
      const result = evolve(states.get(key) ?? null, event)
      states.set(key, result.state)
      changed.set(key, result.state)
      signals.push(...result.signals)
    }
    for (const state of changed.values()) {
      const { student_id, class_id, ...rest } = state
      await db
        .insertInto('v_user_progress')
        .values(state)
        .onConflict((oc) => oc.columns(['student_id', 'class_id']).doUpdateSet(rest))
        .execute()
    }
    await writeOutbox(db, signals.flatMap(integrationEventOf), signals[0]?.occurred_at ?? '')
    await appendSignals(db, signals, relevant[relevant.length - 1]?.received_at ?? '')
  },
  // Signals stay: they are facts already delivered (webhooks, reactors). A replay finds the same ids and
  // adds nothing, keeps their `seq`, so reactors need no rebuild; a rule change adds only new signals.
  async reset(db) {
    await db.deleteFrom('v_user_progress').execute()
  },
}
