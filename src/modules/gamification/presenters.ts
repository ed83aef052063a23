import type { Selectable } from 'kysely'
import type * as repo from './repository/index.ts'
import type { BadgeCriteria } from './rules/badge-criteria.ts'
import type { BadgeRow } from './tables.ts'

// Badges and awards as the API shows them.

export function badgeView(row: Selectable<BadgeRow>, awardedCount: number) {
  return {
    id: row.id,
    code: row.code,
    key: row.key,
    name: row.name,
    description: row.description,
    icon: row.icon,
    criteria: JSON.parse(row.criteria_json) as BadgeCriteria,
    points_reward: row.points_reward,
    active: row.active === 1,
    awarded_count: awardedCount,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

export const awardView = (a: Awaited<ReturnType<typeof repo.awardsCausedBetween>>[number]) => ({
  badge_id: a.badge_id,
  code: a.code,
  key: a.key,
  name: a.name,
  description: a.description,
  icon: a.icon,
  awarded_at: a.awarded_at,
  points: a.points,
})
