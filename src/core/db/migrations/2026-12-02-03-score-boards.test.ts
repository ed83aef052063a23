import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUnmigratedDatabase,
  type TestDatabase,
  testDialects,
} from '../../../../test/helpers/databases.ts'
import { migrateToLatest } from '../migrate.ts'

describe.each(testDialects())('adding weekly scores and histograms on %s', (dialect) => {
  let handle: TestDatabase

  beforeAll(async () => {
    handle = await createUnmigratedDatabase(dialect)
  })
  afterAll(() => handle.drop())

  it("dates the XP already earned in each school's weeks and counts its boards", async () => {
    await migrateToLatest(handle.db, '2026-12-02-02-person-lookup')
    const at = '2026-11-20T10:00:00.000Z'
    for (const [id, timezone] of [
      ['org-paris', 'Europe/Paris'],
      ['org-ny', 'America/New_York'],
    ]) {
      await sql`insert into organisations (id, slug, name, default_locale, timezone, created_at, updated_at)
        values (${id}, ${id}, ${id}, 'fr', ${timezone}, ${at}, ${at})`.execute(handle.db)
    }
    // Sunday 2026-11-29 23:30 UTC is already Monday in Paris, still Sunday in New York; New York's weeks
    // from October 26 span the end of daylight saving time (November 1).
    const ledger = [
      ['a', 'org-paris', 's1', 10, '2026-11-29T22:30:00.000Z'],
      ['b', 'org-paris', 's1', 50, '2026-11-29T23:30:00.000Z'],
      ['c', 'org-paris', 's2', 50, '2026-11-30T08:00:00.000Z'],
      ['d', 'org-ny', 's3', 10, '2026-11-29T23:30:00.000Z'],
      ['e', 'org-ny', 's3', 25, '2026-10-28T12:00:00.000Z'],
    ] as const
    for (const [id, org, student, points, occurredAt] of ledger) {
      await sql`insert into xp_ledger (id, org_id, student_id, cause, subject_id, points, occurred_at, created_at)
        values (${id}, ${org}, ${student}, 'video_completed', ${id}, ${points}, ${occurredAt}, ${at})`.execute(
        handle.db,
      )
    }
    await sql`insert into gamification_score (org_id, student_id, total_points, badges_count)
      select org_id, student_id, sum(points), 0 from xp_ledger group by org_id, student_id`.execute(handle.db)

    expect(await migrateToLatest(handle.db)).toContain('2026-12-02-03-score-boards')

    const weeks = await handle.db.selectFrom('xp_ledger').select(['id', 'week']).orderBy('id').execute()
    expect(weeks.map((w) => [w.id, w.week])).toEqual([
      ['a', '2026-11-23'],
      ['b', '2026-11-30'],
      ['c', '2026-11-30'],
      ['d', '2026-11-23'],
      ['e', '2026-10-26'],
    ])
    const weekScores = await handle.db
      .selectFrom('gamification_week_score')
      .select(['org_id', 'week', 'student_id', 'total_points'])
      .orderBy('org_id')
      .orderBy('week')
      .orderBy('student_id')
      .execute()
    expect(weekScores.map((w) => [w.org_id, w.week, w.student_id, w.total_points])).toEqual([
      ['org-ny', '2026-10-26', 's3', 25],
      ['org-ny', '2026-11-23', 's3', 10],
      ['org-paris', '2026-11-23', 's1', 10],
      ['org-paris', '2026-11-30', 's1', 50],
      ['org-paris', '2026-11-30', 's2', 50],
    ])
    const histogram = await handle.db
      .selectFrom('gamification_score_histogram')
      .select(['org_id', 'board', 'total_points', 'students'])
      .orderBy('org_id')
      .orderBy('board')
      .orderBy('total_points')
      .execute()
    expect(histogram.map((h) => [h.org_id, h.board, h.total_points, Number(h.students)])).toEqual([
      ['org-ny', '2026-10-26', 25, 1],
      ['org-ny', '2026-11-23', 10, 1],
      ['org-ny', 'all', 35, 1],
      ['org-paris', '2026-11-23', 10, 1],
      ['org-paris', '2026-11-30', 50, 2],
      ['org-paris', 'all', 50, 1],
      ['org-paris', 'all', 60, 1],
    ])
  })
})
