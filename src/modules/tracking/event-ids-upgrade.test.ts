import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUnmigratedDatabase,
  insertOrganisation,
  type TestDatabase,
  testDialects,
} from '../../../test/helpers/databases.ts'
import { migrateToLatest } from '../../core/db/migrate.ts'
import { appendEvents, type NewEvent } from '../../core/events/event-store.ts'
import { heartsForAttempt } from '../gamification/index.ts'

// The upgrade that scopes event ids per school, on a log written by the previous release.

describe.each(testDialects())('upgrading event ids to a key per school on %s', (dialect) => {
  let handle: TestDatabase
  const at = '2026-12-01T10:00:00.000Z'
  const event = (id: string, orgId: string, passed: boolean): NewEvent => ({
    id,
    org_id: orgId,
    type: 'QUIZ_SUBMIT',
    version: 1,
    student_id: `student-of-${orgId}`,
    course_id: 'k1',
    class_id: 'c1',
    occurred_at: at,
    payload: { source: 'native', score: passed ? 1 : 0, max_score: 1, ratio: passed ? 1 : 0, passed },
    context: {},
  })

  beforeAll(async () => {
    handle = await createUnmigratedDatabase(dialect)
  })
  afterAll(() => handle.drop())

  it('keeps every event with its seq, then lets another school store the same id', async () => {
    await migrateToLatest(handle.db, '2026-12-02-03-score-boards')
    await insertOrganisation(handle.db, 'org-a')
    await insertOrganisation(handle.db, 'org-b')
    await appendEvents(handle.db, [event('e1', 'org-a', false), event('e2', 'org-a', false)], at)
    // The hearts reactor had applied e1 (its signal is behind the checkpoint), not yet e2.
    await sql`insert into lms_signal (id, org_id, type, student_id, course_id, class_id, occurred_at,
        source_event_ids_json, payload_json, created_at)
      values ('QUIZ_ATTEMPTED:student-of-org-a:e1', 'org-a', 'QUIZ_ATTEMPTED', 'student-of-org-a', 'k1',
        'c1', ${at}, '["e1"]', '{"passed":false}', ${at})`.execute(handle.db)
    const signalSeq = Number(
      (await sql<{ seq: number }>`select max(seq) as seq from lms_signal`.execute(handle.db)).rows[0]?.seq,
    )
    await sql`insert into projection_checkpoints (name, seq, updated_at, attempts)
      values ('gamification_hearts', ${signalSeq}, ${at}, 0)`.execute(handle.db)
    await sql`insert into hearts (org_id, student_id, hearts, max_hearts, refill_anchor_at, updated_at)
      values ('org-a', 'student-of-org-a', 4, 5, ${at}, ${at})`.execute(handle.db)
    const before = await handle.db.selectFrom('lms_event').select(['id', 'seq']).orderBy('seq').execute()

    await migrateToLatest(handle.db)

    const after = await handle.db.selectFrom('lms_event').select(['id', 'seq']).orderBy('seq').execute()
    expect(after).toEqual(before)
    const hearts = await handle.db
      .selectFrom('hearts')
      .select('last_attempt_event_id')
      .executeTakeFirstOrThrow()
    expect(hearts.last_attempt_event_id).toBe('e1')
    // 5 hearts, e1 applied by the row (4 left), e2 counted from the log.
    expect(await heartsForAttempt(handle.db, 'org-a', 'student-of-org-a', at)).toMatchObject({ hearts: 3 })

    const other = await appendEvents(handle.db, [event('e1', 'org-b', true)], at)
    expect(other.appended.map((e) => e.seq)).toEqual([Math.max(...before.map((e) => Number(e.seq))) + 1])
    await expect(appendEvents(handle.db, [event('e1', 'org-a', true)], at)).rejects.toMatchObject({
      code: 'event_conflict',
    })
    const same = await appendEvents(handle.db, [event('e1', 'org-a', false)], at)
    expect(same.duplicates.map((e) => e.org_id)).toEqual(['org-a'])
  })
})
