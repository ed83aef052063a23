import type { Selectable } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { conflict, notFound } from '../../core/http/errors.ts'
import * as identity from '../identity/index.ts'
import { badgeView } from './presenters.ts'
import { awardOf, grantAwards, liveBadges, lockBadges } from './projections/badges.ts'
import * as repo from './repository/index.ts'
import {
  type ActivePeriod,
  type Counters,
  counterKeysOf,
  meetsCriteria,
  parseCriteria,
  progressTowards,
  setActive,
} from './rules/badge-criteria.ts'
import { sortBadges } from './rules/badge-order.ts'
import type { BadgeInput, BadgePatch } from './schemas.ts'
import { type GamificationDeps, studentIdOf } from './service.ts'
import type { BadgeRow } from './tables.ts'

// A school's badges: the defaults, the ones it creates and changes (awarded to who already qualifies), and a
// student's earned badges and progress towards the others.

/** Gives a school created now its default badges (schools from before get them at their first use). */
export async function giveDefaultBadges(db: Db, org: identity.OrganisationRow) {
  await repo.ensureDefaultBadges(db, org.id, org.created_at, org.default_locale)
}

/** Gives the school the default badges it lacks (idempotent), as if they had existed since its creation. */
async function ensureDefaultBadges(deps: GamificationDeps, orgId: string) {
  const org = await identity.getOrganisation(deps.identity, orgId)
  await repo.ensureDefaultBadges(deps.db, orgId, org.created_at, org.default_locale)
}

/** The school's badges (all of them for staff, the active ones for students), by family and threshold. */
export async function listBadges(deps: GamificationDeps, actor: MemberIdentity) {
  await ensureDefaultBadges(deps, actor.orgId)
  const [rows, counts] = await Promise.all([
    repo.badgesOf(deps.db, actor.orgId, { activeOnly: actor.role === 'student' }),
    repo.awardCounts(deps.db, actor.orgId),
  ])
  return sortBadges(
    rows.map((row) => badgeView(row, counts.get(row.id) ?? 0)),
    (b) => b.criteria,
    (b) => b.name,
  )
}

/**
 * Awards a badge that has just become active (created, reactivated, new criteria) to every student of the
 * school whose counters meet its criteria, at that instant: the time a replay gives them too (see
 * `awardMoment`), the counters holding every signal the reactor has applied so far.
 */
async function awardToQualified(deps: GamificationDeps, trx: Db, row: Selectable<BadgeRow>, at: string) {
  const [badge] = liveBadges([row])
  if (!badge) return
  const counters = new Map<string, Counters>()
  for (const c of await repo.countersOf(trx, row.org_id, undefined, counterKeysOf(badge.criteria))) {
    counters.set(c.student_id, { ...counters.get(c.student_id), [c.key]: Number(c.value) })
  }
  const awards = [...counters]
    .filter(([, values]) => meetsCriteria(badge.criteria, values))
    .flatMap(([studentId]) => awardOf(badge, studentId, at, null) ?? [])
  await grantAwards(deps.identity, trx, awards, at, deps.badgeAwarded)
}

export async function createBadge(deps: GamificationDeps, orgId: string, input: BadgeInput) {
  await ensureDefaultBadges(deps, orgId)
  const at = deps.clock.now().toISOString()
  const active = input.active ?? true
  const row: BadgeRow = {
    id: `${orgId}:${input.code}`,
    org_id: orgId,
    code: input.code,
    key: null,
    name: input.name,
    description: input.description ?? null,
    icon: input.icon ?? null,
    criteria_json: JSON.stringify(input.criteria),
    points_reward: input.points_reward,
    active: active ? 1 : 0,
    active_periods_json: JSON.stringify(setActive([], active, at)),
    created_at: at,
    updated_at: at,
  }
  await deps.db.transaction().execute(async (trx) => {
    await lockBadges(trx)
    if (await repo.findBadgeByCode(trx, orgId, input.code)) {
      throw conflict('badge_code_taken', `The school already has a badge with the code "${input.code}"`)
    }
    await repo.insertBadges(trx, [row])
    if (active) await awardToQualified(deps, trx, row, at)
  })
  return badgeView(row, (await repo.awardCounts(deps.db, orgId)).get(row.id) ?? 0)
}

/**
 * Changes a badge. Criteria can change only while nobody holds the badge (what students earned stays what
 * it was, and a rebuild gives it back to them identically); the badge then starts afresh, as if created now.
 * Switching it off stops awards from then on; switching it on awards everyone who qualifies, now.
 */
export async function updateBadge(deps: GamificationDeps, orgId: string, badgeId: string, patch: BadgePatch) {
  await ensureDefaultBadges(deps, orgId)
  const at = deps.clock.now().toISOString()
  const updated = await deps.db.transaction().execute(async (trx) => {
    await lockBadges(trx)
    const row = await repo.getBadge(trx, orgId, badgeId)
    if (!row) throw notFound('Badge')
    const stored = parseCriteria(row.criteria_json)
    const criteriaChanged =
      patch.criteria !== undefined && JSON.stringify(patch.criteria) !== JSON.stringify(stored)
    if (criteriaChanged && (await repo.hasAwards(trx, orgId, badgeId))) {
      throw conflict(
        'badge_awarded',
        'Students already hold this badge, so its criteria can no longer change: deactivate it and create another one',
      )
    }
    const wasActive = row.active === 1
    const active = patch.active ?? wasActive
    const periods = criteriaChanged
      ? setActive([], active, at)
      : setActive(JSON.parse(row.active_periods_json) as ActivePeriod[], active, at)
    const renamed =
      (patch.name !== undefined && patch.name !== row.name) ||
      (patch.description !== undefined && patch.description !== row.description)
    const next: Selectable<BadgeRow> = {
      ...row,
      // A default badge the school renames shows its new name to everyone, whatever their language.
      key: renamed ? null : row.key,
      name: patch.name ?? row.name,
      description: patch.description === undefined ? row.description : patch.description,
      icon: patch.icon === undefined ? row.icon : patch.icon,
      criteria_json: criteriaChanged ? JSON.stringify(patch.criteria) : row.criteria_json,
      points_reward: patch.points_reward ?? row.points_reward,
      active: active ? 1 : 0,
      active_periods_json: JSON.stringify(periods),
      updated_at: at,
    }
    const { id: _id, org_id: _org, code: _code, created_at: _created, ...changes } = next
    await repo.updateBadge(trx, orgId, badgeId, changes)
    if (active && (criteriaChanged || !wasActive)) await awardToQualified(deps, trx, next, at)
    return next
  })
  return badgeView(updated, (await repo.awardCounts(deps.db, orgId)).get(badgeId) ?? 0)
}
/**
 * The caller's badges: those earned, and the school's other active badges with progress, both by family and
 * threshold (a student reads them as ladders to climb).
 */
export async function myBadges(deps: GamificationDeps, actor: MemberIdentity) {
  const studentId = await studentIdOf(deps, actor)
  await ensureDefaultBadges(deps, actor.orgId)
  const [awards, active, counterRows] = await Promise.all([
    repo.awardsOf(deps.db, actor.orgId, studentId),
    repo.badgesOf(deps.db, actor.orgId, { activeOnly: true }),
    repo.countersOf(deps.db, actor.orgId, [studentId]),
  ])
  const counters: Counters = Object.fromEntries(counterRows.map((c) => [c.key, Number(c.value)]))
  const earned = new Set(awards.map((a) => a.badge_id))
  const criteria = new Map(
    [...awards.map((a) => [a.badge_id, a.criteria_json]), ...active.map((b) => [b.id, b.criteria_json])].map(
      ([id, json]) => [id as string, parseCriteria(json as string)],
    ),
  )
  const byRank = <T extends { badge_id: string; name: string }>(list: T[]) =>
    sortBadges(
      list,
      (b) => criteria.get(b.badge_id) ?? null,
      (b) => b.name,
    )
  return {
    earned: byRank(awards.map(({ id: _id, criteria_json: _criteria, ...award }) => award)),
    not_earned: byRank(
      active
        .filter((b) => !earned.has(b.id))
        .map((b) => {
          const criteria = parseCriteria(b.criteria_json)
          return {
            badge_id: b.id,
            code: b.code,
            key: b.key,
            name: b.name,
            description: b.description,
            icon: b.icon,
            points_reward: b.points_reward,
            progress: criteria ? progressTowards(criteria, counters) : null,
          }
        }),
    ),
  }
}

/** A student's latest badges (dashboards, notifications). */
export async function recentAwards(deps: GamificationDeps, orgId: string, studentId: string, limit = 5) {
  return (await repo.awardsOf(deps.db, orgId, studentId, limit)).map(
    ({ id: _id, criteria_json: _criteria, ...award }) => award,
  )
}

export async function badgeCount(deps: GamificationDeps, orgId: string, studentId: string) {
  return repo.countAwardsOf(deps.db, orgId, studentId)
}
