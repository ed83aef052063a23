import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUnmigratedDatabase,
  type TestDatabase,
  testDialects,
} from '../../../../test/helpers/databases.ts'
import { migrateToLatest } from '../migrate.ts'

describe.each(testDialects())('adding badges and scores on %s', (dialect) => {
  let handle: TestDatabase

  beforeAll(async () => {
    handle = await createUnmigratedDatabase(dialect)
  })
  afterAll(() => handle.drop())

  it("starts every student's score at the XP they already have", async () => {
    await migrateToLatest(handle.db, '2026-12-01-02-gamification')
    const at = '2026-11-30T10:00:00.000Z'
    await sql`insert into organisations (id, slug, name, default_locale, timezone, created_at, updated_at)
      values ('org-up', 'up', 'Up', 'fr', 'Europe/Paris', ${at}, ${at})`.execute(handle.db)
    for (const [id, student, points] of [
      ['video_completed:a', 's1', 10],
      ['quiz_passed:b', 's1', 50],
      ['video_completed:c', 's2', 10],
    ] as const) {
      await sql`insert into xp_ledger (id, org_id, student_id, cause, subject_id, points, occurred_at, created_at)
        values (${id}, 'org-up', ${student}, 'x', 'y', ${points}, ${at}, ${at})`.execute(handle.db)
    }
    expect(await migrateToLatest(handle.db)).toContain('2026-12-01-03-badges')
    const scores = await handle.db
      .selectFrom('gamification_score')
      .selectAll()
      .orderBy('student_id')
      .execute()
    expect(scores).toEqual([
      { org_id: 'org-up', student_id: 's1', total_points: 60, badges_count: 0 },
      { org_id: 'org-up', student_id: 's2', total_points: 10, badges_count: 0 },
    ])
  })
})
