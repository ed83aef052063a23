import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  createTestDatabase,
  insertOrganisation,
  type TestDatabase,
  testDialects,
} from '../../../test/helpers/databases.ts'
import { fixedClock } from '../clock.ts'
import { noEvents } from './event-store.ts'
import {
  catchUp,
  projectionStatus,
  rebuildProjection,
  runProjector,
  type SignalReactor,
} from './projector.ts'
import { appendSignals, type NewSignal, type StoredSignal } from './signal-log.ts'

const ORG = 'org-signals'

function signal(type: string, n: number): NewSignal {
  return {
    id: `${type}:student-${n % 3}:${n}`,
    type,
    org_id: ORG,
    student_id: `student-${n % 3}`,
    course_id: type === 'STREAK_DAY' ? null : 'course-1',
    class_id: null,
    occurred_at: new Date(Date.UTC(2026, 10, 1, 8, n)).toISOString(),
    source_event_ids: [`event-${n}`],
    payload: { n },
  }
}

describe.each(testDialects())('the signal log and its reactors on %s', (dialect) => {
  let database: TestDatabase
  const clock = fixedClock('2026-11-30T09:00:00.000Z')

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    await insertOrganisation(database.db, ORG)
  })
  afterAll(() => database.drop())

  /** Any signal of these types, its payload left as stored. */
  const anyOf = (types: string[]) => ({
    types,
    body: z.object({ type: z.string(), payload: z.record(z.string(), z.unknown()) }),
  })

  /** A reactor that remembers what it was given, in memory: enough to see what the runner feeds it. */
  function recordingReactor(name: string, types: string[], fail?: () => boolean) {
    const seen: StoredSignal[] = []
    const reactor: SignalReactor<{ type: string; payload: Record<string, unknown> }> = {
      name,
      reads: 'signals',
      signals: anyOf(types),
      async apply(_db, signals) {
        if (fail?.()) throw new Error('reaction store unavailable')
        seen.push(...signals)
      },
      async reset() {
        seen.length = 0
      },
    }
    return { reactor, seen }
  }

  const run = (reactor: SignalReactor) => runProjector(database.db, noEvents, reactor, clock)

  it('appends each signal once, in seq order, whatever the retries', async () => {
    const first = [signal('VIDEO_COMPLETED', 1), signal('STREAK_DAY', 2)]
    await database.db.transaction().execute((trx) => appendSignals(trx, first, clock.now().toISOString()))
    await database.db
      .transaction()
      .execute((trx) => appendSignals(trx, [...first, signal('QUIZ_PASSED', 3)], clock.now().toISOString()))
    const rows = await database.db
      .selectFrom('lms_signal')
      .select(['id', 'seq', 'course_id'])
      .orderBy('seq')
      .execute()
    expect(rows.map((r) => r.id)).toEqual([
      'VIDEO_COMPLETED:student-1:1',
      'STREAK_DAY:student-2:2',
      'QUIZ_PASSED:student-0:3',
    ])
    const seqs = rows.map((r) => Number(r.seq))
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(rows[1]?.course_id).toBeNull()
  })

  it('gives a reactor only the signal types it subscribes to, and moves its checkpoint past the others', async () => {
    const { reactor, seen } = recordingReactor('test_videos', ['VIDEO_COMPLETED', 'QUIZ_PASSED'])
    expect(await run(reactor)).toMatchObject({ processed: 3, failed: null })
    expect(seen.map((s) => s.type)).toEqual(['VIDEO_COMPLETED', 'QUIZ_PASSED'])
    expect(seen[0]).toMatchObject({ payload: { n: 1 }, source_event_ids: ['event-1'], course_id: 'course-1' })
    const [status] = await projectionStatus(database.db, [reactor])
    expect(status).toMatchObject({ lag: 0, error: null })
    expect(await run(reactor)).toMatchObject({ processed: 0 })
    expect(seen).toHaveLength(2)
  })

  it('keeps a failing reactor behind its checkpoint, records why, and catches up once fixed', async () => {
    let broken = true
    const { reactor, seen } = recordingReactor('test_flaky', ['STREAK_DAY'], () => broken)
    expect(await run(reactor)).toMatchObject({
      processed: 0,
      failed: { error: 'reaction store unavailable' },
    })
    const [status] = await projectionStatus(database.db, [reactor])
    expect(status).toMatchObject({ checkpoint: 0, lag: 3, attempts: 1, error: 'reaction store unavailable' })
    broken = false
    expect(await run(reactor)).toMatchObject({ processed: 3, failed: null })
    expect(seen.map((s) => s.id)).toEqual(['STREAK_DAY:student-2:2'])
  })

  it('replays the whole log into a rebuilt reactor', async () => {
    const { reactor, seen } = recordingReactor('test_rebuild', [
      'VIDEO_COMPLETED',
      'STREAK_DAY',
      'QUIZ_PASSED',
    ])
    await run(reactor)
    const before = seen.map((s) => s.id)
    expect(await rebuildProjection(database.db, noEvents, reactor, clock)).toMatchObject({ processed: 3 })
    expect(seen.map((s) => s.id)).toEqual(before)
  })

  it('catches up only the reactors whose log has moved, in order, and sees what earlier ones appended', async () => {
    let applied = 0
    const appender: SignalReactor<{ type: string; payload: Record<string, unknown> }> = {
      name: 'test_appender',
      reads: 'signals',
      signals: anyOf(['QUIZ_ATTEMPTED']),
      async apply(trx, signals) {
        applied += 1
        await appendSignals(
          trx,
          signals.map((s) => ({ ...s, id: `HEART_LOST:${s.id}`, type: 'HEART_LOST' })),
          s0(),
        )
      },
      async reset() {},
    }
    const { reactor: follower, seen } = recordingReactor('test_follower', ['HEART_LOST'])
    const s0 = () => clock.now().toISOString()
    const first = await catchUp(database.db, noEvents, [appender, follower], clock)
    expect(first.map((r) => r.failed)).toEqual([null, null])
    expect(applied).toBe(0)
    const idle = await catchUp(database.db, noEvents, [appender, follower], clock)
    expect(idle).toEqual([
      { name: 'test_appender', processed: 0, failed: null },
      { name: 'test_follower', processed: 0, failed: null },
    ])
    await database.db.transaction().execute((trx) => appendSignals(trx, [signal('QUIZ_ATTEMPTED', 4)], s0()))
    await catchUp(database.db, noEvents, [appender, follower], clock)
    expect(applied).toBe(1)
    expect(seen.map((s) => s.id)).toEqual(['HEART_LOST:QUIZ_ATTEMPTED:student-1:4'])
  })
})
