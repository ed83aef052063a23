import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestDatabase,
  insertOrganisation,
  type TestDatabase,
  testDialects,
} from '../../../test/helpers/databases.ts'
import { fixedClock } from '../../core/clock.ts'
import { appendEvents, type NewEvent } from '../../core/events/event-store.ts'
import {
  type EventProjector,
  projectionStatus,
  rebuildProjection,
  runProjector,
} from '../../core/events/projector.ts'
import { type TrackingEventBody, trackingEvents } from '../tracking/index.ts'
import { userProgressProjector } from './index.ts'

const ORG = 'org-replay'
const COURSE = 'course-replay'
const STEPS = ['s0', 's1', 's2']

function context(index: number) {
  return {
    step_type: index === 1 ? 'quiz' : index === 2 ? 'reading' : 'video',
    step_index: index,
    step_count: STEPS.length,
    duration_sec: index === 0 ? 120 : null,
    max_playback_rate: 2,
    completion_threshold: 0.9,
    pass_threshold: 0.8,
    skip_tolerance_sec: 10,
  }
}

/** A realistic log: every student pings through the video (some try to skip), then tries the quiz and reads. */
function generateLog(students: number): { at: string; events: NewEvent[] }[] {
  const batches: { at: string; events: NewEvent[] }[] = []
  const start = Date.parse('2026-11-22T08:00:00.000Z')
  for (let s = 0; s < students; s++) {
    const student = `student-${s}`
    const base = { org_id: ORG, student_id: student, course_id: COURSE }
    for (let i = 0; i <= 12; i++) {
      const at = new Date(start + s * 1000 + i * 5_000).toISOString()
      const position = s % 7 === 0 && i === 3 ? 110 : i * 10
      batches.push({
        at,
        events: [
          {
            ...base,
            id: `${student}-ping-${i}`,
            type: 'VIDEO_PING',
            version: 2,
            class_id: 's0',
            occurred_at: at,
            payload: { position_sec: position, playback_rate: 2, client_duration_sec: 120 },
            context: context(0),
          },
        ],
      })
    }
    const later = new Date(start + s * 1000 + 80_000).toISOString()
    for (const [attempt, ratio] of [0.4, s % 3 === 0 ? 0.6 : 1].entries()) {
      batches.push({
        at: later,
        events: [
          {
            ...base,
            id: `${student}-quiz-${attempt}`,
            type: 'QUIZ_SUBMIT',
            version: 1,
            class_id: 's1',
            occurred_at: later,
            payload: {
              source: 'native',
              score: ratio * 5,
              max_score: 5,
              ratio,
              passed: ratio >= 0.8,
              results: [],
              answers: {},
            },
            context: context(1),
          },
        ],
      })
    }
    batches.push({
      at: later,
      events: [
        {
          ...base,
          id: `${student}-ack`,
          type: 'STEP_ACK',
          version: 1,
          class_id: 's2',
          occurred_at: later,
          payload: {},
          context: context(2),
        },
      ],
    })
  }
  return batches
}

describe.each(testDialects())('replaying the event log on %s', (dialect) => {
  let database: TestDatabase
  const clock = fixedClock('2026-11-22T09:00:00.000Z')

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    await insertOrganisation(database.db, ORG)
  })
  afterAll(() => database.drop())

  async function checksum() {
    const progress = await database.db
      .selectFrom('v_user_progress')
      .selectAll()
      .orderBy('student_id')
      .orderBy('class_id')
      .execute()
    // Without seq and created_at: where a signal sits in the log is not what it says.
    const signals = await database.db
      .selectFrom('lms_signal')
      .select(['id', 'org_id', 'type', 'student_id', 'course_id', 'class_id', 'occurred_at'])
      .select(['source_event_ids_json', 'payload_json'])
      .orderBy('id')
      .execute()
    const text = JSON.stringify({
      progress: progress.map((p) => ({ ...p, last_seq: Number(p.last_seq) })),
      signals,
    })
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
    return { digest: Buffer.from(digest).toString('hex'), rows: progress.length, signals: signals.length }
  }

  it('gets the same read models and signals back from a rebuild of thousands of events', async () => {
    const log = generateLog(200)
    for (const batch of log) await appendEvents(database.db, batch.events, batch.at)
    const first = await runProjector(database.db, trackingEvents, userProgressProjector, clock)
    expect(first).toMatchObject({ processed: 3200, failed: null })
    const before = await checksum()
    expect(before.rows).toBe(600)
    const seqs = await database.db.selectFrom('lms_signal').select(['id', 'seq']).orderBy('seq').execute()
    const run = await rebuildProjection(database.db, trackingEvents, userProgressProjector, clock)
    expect(run.failed).toBeNull()
    expect(await checksum()).toEqual(before)
    // The signals found again keep their place in the log, so reactors downstream need no rebuild.
    expect(await database.db.selectFrom('lms_signal').select(['id', 'seq']).orderBy('seq').execute()).toEqual(
      seqs,
    )
    // And a lost signal log is derived again, identically.
    await database.db.deleteFrom('lms_signal').execute()
    await rebuildProjection(database.db, trackingEvents, userProgressProjector, clock)
    expect(await checksum()).toEqual(before)
    const skipped = await database.db
      .selectFrom('v_user_progress')
      .select('student_id')
      .where('skip_attempts', '>', 0)
      .execute()
    expect(skipped.length).toBe(29)
  })

  it('keeps a failing projection behind its checkpoint, records why, and catches up once fixed', async () => {
    let broken = true
    const flaky: EventProjector<TrackingEventBody> = {
      ...userProgressProjector,
      name: 'flaky_progress',
      apply: async (db, events) => {
        if (broken) throw new Error('read model unavailable')
        return userProgressProjector.apply(db, events)
      },
    }
    const head = Number(
      (
        await database.db
          .selectFrom('lms_event')
          .select((eb) => eb.fn.max('seq').as('m'))
          .executeTakeFirst()
      )?.m,
    )
    const failed = await runProjector(database.db, trackingEvents, flaky, clock)
    expect(failed).toMatchObject({ processed: 0, failed: { error: 'read model unavailable' } })
    const [status] = await projectionStatus(database.db, [flaky])
    expect(status).toMatchObject({ checkpoint: 0, lag: head, error: 'read model unavailable', attempts: 1 })
    broken = false
    const recovered = await runProjector(database.db, trackingEvents, flaky, clock)
    expect(recovered).toMatchObject({ processed: head, failed: null })
    const [after] = await projectionStatus(database.db, [flaky])
    expect(after).toMatchObject({ checkpoint: head, lag: 0, error: null, attempts: 0 })
  })
})
