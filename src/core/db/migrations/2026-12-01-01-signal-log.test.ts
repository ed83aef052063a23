import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUnmigratedDatabase,
  type TestDatabase,
  testDialects,
} from '../../../../test/helpers/databases.ts'
import { migrateToLatest } from '../migrate.ts'

describe.each(testDialects())('upgrading signals to a log on %s', (dialect) => {
  let handle: TestDatabase

  beforeAll(async () => {
    handle = await createUnmigratedDatabase(dialect)
  })
  afterAll(() => handle.drop())

  it('keeps every signal written before, in order, and numbers them', async () => {
    await migrateToLatest(handle.db, '2026-11-22-06-jobs')
    const at = '2026-11-30T10:00:00.000Z'
    await sql`insert into organisations (id, slug, name, default_locale, timezone, created_at, updated_at)
      values ('org-up', 'up', 'Up', 'fr', 'Europe/Paris', ${at}, ${at})`.execute(handle.db)
    for (const id of ['VIDEO_COMPLETED:s1:c1', 'STEP_COMPLETED:s1:c1', 'COURSE_COMPLETED:s1:k1']) {
      await sql`insert into lms_signal (id, org_id, type, student_id, course_id, class_id, occurred_at,
          source_event_ids_json, payload_json, created_at)
        values (${id}, 'org-up', ${id.split(':')[0]}, 's1', 'k1', 'c1', ${at}, '["e1"]', '{"n":1}', ${at})`.execute(
        handle.db,
      )
    }
    expect(await migrateToLatest(handle.db)).toContain('2026-12-01-01-signal-log')
    const rows = await handle.db.selectFrom('lms_signal').selectAll().orderBy('seq').execute()
    expect(rows.map((r) => r.id)).toEqual([
      'VIDEO_COMPLETED:s1:c1',
      'STEP_COMPLETED:s1:c1',
      'COURSE_COMPLETED:s1:k1',
    ])
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3])
    expect(rows[0]).toMatchObject({
      org_id: 'org-up',
      payload_json: '{"n":1}',
      source_event_ids_json: '["e1"]',
    })
    // A signal about a student rather than a course now fits.
    await handle.db
      .insertInto('lms_signal')
      .values({
        id: 'STREAK_DAY:s1:2026-11-30',
        org_id: 'org-up',
        type: 'STREAK_DAY',
        student_id: 's1',
        course_id: null,
        class_id: null,
        occurred_at: at,
        source_event_ids_json: '[]',
        payload_json: '{}',
        created_at: at,
      })
      .execute()
    expect(
      Number(
        (
          await handle.db
            .selectFrom('lms_signal')
            .select('seq')
            .where('course_id', 'is', null)
            .executeTakeFirstOrThrow()
        ).seq,
      ),
    ).toBe(4)
  })
})
