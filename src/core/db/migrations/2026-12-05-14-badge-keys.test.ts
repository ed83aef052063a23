import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUnmigratedDatabase,
  type TestDatabase,
  testDialects,
} from '../../../../test/helpers/databases.ts'
import { migrateToLatest } from '../migrate.ts'

describe.each(testDialects())('adding translation keys to default badges on %s', (dialect) => {
  let handle: TestDatabase

  beforeAll(async () => {
    handle = await createUnmigratedDatabase(dialect)
  })
  afterAll(() => handle.drop())

  it('keys the default badges a school left as Sillon named them, in either language, and no other', async () => {
    await migrateToLatest(handle.db, '2026-12-04-02-tally-rejections')
    const at = '2026-11-20T10:00:00.000Z'
    for (const [id, locale] of [
      ['org-fr', 'fr'],
      ['org-en', 'en'],
    ]) {
      await sql`insert into organisations (id, slug, name, default_locale, timezone, created_at, updated_at)
        values (${id}, ${id}, ${id}, ${locale}, 'Europe/Paris', ${at}, ${at})`.execute(handle.db)
    }
    const badges = [
      ['org-fr', 'first_video', 'Première vidéo', 'Regarder une première vidéo en entier'],
      ['org-fr', 'expert', 'Virtuose', 'Terminer 5 parcours'],
      ['org-fr', 'video_5', 'Cinq vidéos', 'Cinq vidéos de notre école'],
      ['org-fr', 'night_owl', 'Oiseau de nuit', null],
      ['org-en', 'streak_7', '7-day streak', 'Learn 7 days in a row'],
    ] as const
    for (const [org, code, name, description] of badges) {
      await sql`insert into gamification_badge (id, org_id, code, name, description, icon, criteria_json,
        points_reward, active, active_periods_json, created_at, updated_at)
        values (${`${org}:${code}`}, ${org}, ${code}, ${name}, ${description}, null, '{}', 10, 1, '[]', ${at}, ${at})`.execute(
        handle.db,
      )
    }

    expect(await migrateToLatest(handle.db)).toContain('2026-12-05-14-badge-keys')

    const { rows } = await sql<{ id: string; key: string | null }>`select id, key from gamification_badge
      order by id`.execute(handle.db)
    expect(rows.map((r) => [r.id, r.key])).toEqual([
      ['org-en:streak_7', 'streak_7'],
      ['org-fr:expert', null],
      ['org-fr:first_video', 'first_video'],
      ['org-fr:night_owl', null],
      ['org-fr:video_5', null],
    ])
  })
})
