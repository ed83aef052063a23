import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUnmigratedDatabase,
  type TestDatabase,
  testDialects,
} from '../../../../test/helpers/databases.ts'
import { migrateToLatest } from '../migrate.ts'

describe.each(testDialects())('storing when a school counts an abandonment on %s', (dialect) => {
  let handle: TestDatabase

  beforeAll(async () => {
    handle = await createUnmigratedDatabase(dialect)
  })
  afterAll(() => handle.drop())

  it('gives an existing school the 14 days the reports counted until now', async () => {
    await migrateToLatest(handle.db, '2026-12-07-13-step-captions')
    const at = '2026-11-20T10:00:00.000Z'
    await sql`insert into organisations (id, slug, name, default_locale, timezone, created_at, updated_at)
      values ('org-old', 'org-old', 'Old school', 'fr', 'Europe/Paris', ${at}, ${at})`.execute(handle.db)

    expect(await migrateToLatest(handle.db)).toContain('2026-12-07-21-abandoned-days')

    const { rows } = await sql<{ abandoned_days: number }>`select abandoned_days from organisations
      where id = 'org-old'`.execute(handle.db)
    expect(rows.map((r) => Number(r.abandoned_days))).toEqual([14])
  })
})
