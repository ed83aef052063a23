import { PostgresAdapter, type Selectable, sql } from 'kysely'
import type { Db } from '../../../core/db/database.ts'
import type { SignalReactor } from '../../../core/events/projector.ts'
import type { DecodedSignal, SignalBodyOf } from '../../../core/events/signal-log.ts'
import * as identity from '../../identity/index.ts'
import type { BadgeAwardedPort } from '../contract.ts'
import * as repo from '../repository/index.ts'
import {
  type ActivePeriod,
  awardMoment,
  type BadgeCriteria,
  type Counters,
  counterSignals,
  countersAfter,
  meetsCriteria,
  parseCriteria,
} from '../rules/badge-criteria.ts'
import { xpEntryId } from '../rules/xp.ts'
import type { AwardRow, BadgeRow, CounterRow } from '../tables.ts'
import { weeklyXp } from './time-zones.ts'

// Arbitrary constant naming the badges lock (PostgreSQL advisory locks take a bigint key).
const BADGES_LOCK_KEY = 7_316_031

/**
 * Serialises the badges reactor with the evaluation of a badge that becomes active (PostgreSQL; SQLite has
 * one writer): otherwise a student whose counter the reactor is raising, unseen by an evaluation reading the
 * counters before, on a badge the reactor does not see yet, would miss the award.
 */
export async function lockBadges(trx: Db) {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(${BADGES_LOCK_KEY})`.execute(trx)
  }
}

type LiveBadge = {
  id: string
  org_id: string
  criteria: BadgeCriteria
  periods: ActivePeriod[]
  points_reward: number
}

/** The badges that can be awarded (some active period, valid criteria). */
export function liveBadges(rows: Selectable<BadgeRow>[]): LiveBadge[] {
  const live: LiveBadge[] = []
  for (const row of rows) {
    const criteria = parseCriteria(row.criteria_json)
    const periods = JSON.parse(row.active_periods_json) as ActivePeriod[]
    if (criteria && periods.length > 0) live.push({ ...row, criteria, periods })
  }
  return live
}

const awardId = (badgeId: string, studentId: string) => `${badgeId}:${studentId}`

/** The award of a badge to a student who met its criteria at `metAt` (by `signalId`); null if not now. */
export function awardOf(badge: LiveBadge, studentId: string, metAt: string, signalId: string | null) {
  const moment = awardMoment(metAt, badge.periods)
  if (!moment) return null
  const award: AwardRow = {
    id: awardId(badge.id, studentId),
    org_id: badge.org_id,
    badge_id: badge.id,
    student_id: studentId,
    awarded_at: moment.at,
    source_signal_id: moment.waited ? null : signalId,
    points: badge.points_reward,
  }
  return award
}

/** Awards older than this are not announced: a rebuild or an import grants them again, long after. */
const ANNOUNCE_WITHIN_MS = 24 * 3_600_000

/** Tells the students of their new awards, if they have an account and the award is recent. */
async function announceAwards(
  deps: identity.IdentityDeps,
  db: Db,
  awards: AwardRow[],
  tell: BadgeAwardedPort,
) {
  const since = deps.clock.now().getTime() - ANNOUNCE_WITHIN_MS
  const recent = awards.filter((a) => new Date(a.awarded_at).getTime() >= since)
  for (const [orgId, orgAwards] of groupBy(recent, (a) => a.org_id)) {
    const badges = new Map((await repo.badgesOfOrgs(db, [orgId])).map((b) => [b.id, b.name]))
    const students = await identity.peopleByIds(
      { ...deps, db },
      orgId,
      'lms_student',
      orgAwards.map((a) => a.student_id),
    )
    const userOf = new Map(students.map((s) => [s.id, s.user_id]))
    for (const award of orgAwards) {
      const userId = userOf.get(award.student_id)
      const badgeName = badges.get(award.badge_id)
      if (userId && badgeName) await tell(db, orgId, { awardId: award.id, userId, badgeName })
    }
  }
}

/**
 * Stores awards and, for those new, the badge's points in the XP ledger (dated when awarded); `tell`
 * announces the new ones to their students.
 */
export async function grantAwards(
  deps: identity.IdentityDeps,
  db: Db,
  awards: AwardRow[],
  at: string,
  tell?: BadgeAwardedPort,
) {
  const inserted = await repo.addAwards(db, awards)
  if (tell) await announceAwards(deps, db, inserted, tell)
  const entries = inserted
    .filter((a) => a.points > 0)
    .map((a) => ({
      id: xpEntryId('badge', a.id),
      org_id: a.org_id,
      student_id: a.student_id,
      cause: 'badge' as const,
      subject_id: a.id,
      points: a.points,
      occurred_at: a.awarded_at,
    }))
  await repo.addXp(db, await weeklyXp(deps, db, entries), at)
  return inserted
}

function groupBy<T>(items: T[], key: (item: T) => string) {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const group = groups.get(key(item))
    if (group) group.push(item)
    else groups.set(key(item), [item])
  }
  return groups
}

async function countersOfBatch(db: Db, orgId: string, signals: DecodedSignal[]) {
  const studentIds = [...new Set(signals.map((s) => s.student_id))]
  const counters = new Map<string, Counters>(studentIds.map((id) => [id, {}]))
  for (const row of await repo.countersOf(db, orgId, studentIds)) {
    const own = counters.get(row.student_id) as Counters
    own[row.key] = Number(row.value)
  }
  return counters
}

/**
 * Badges from signals. Keeps each student's counters (videos, quizzes passed and perfect, courses, best
 * streak), and after each signal awards the school's badges whose criteria the student now meets, at the
 * moment `awardMoment` gives, with the badge's points as XP. Deterministic: only signal times are used.
 */
export function badgesReactor(deps: {
  identity: identity.IdentityDeps
  badgeAwarded?: BadgeAwardedPort
}): SignalReactor<SignalBodyOf<typeof counterSignals>> {
  return {
    name: 'gamification_badges',
    reads: 'signals',
    signals: counterSignals,
    async apply(db, signals) {
      await lockBadges(db)
      const byOrg = groupBy(signals, (s) => s.org_id)
      // Schools that existed before badges get their defaults, dated from their creation.
      for (const orgId of byOrg.keys()) {
        const org = await identity.getOrganisation({ ...deps.identity, db }, orgId)
        await repo.ensureDefaultBadges(db, orgId, org.created_at, org.default_locale)
      }
      const badges = groupBy(liveBadges(await repo.badgesOfOrgs(db, [...byOrg.keys()])), (b) => b.org_id)
      const awards: AwardRow[] = []
      const counterRows: CounterRow[] = []
      for (const [orgId, orgSignals] of byOrg) {
        const counters = await countersOfBatch(db, orgId, orgSignals)
        const held = new Set(
          await repo.awardIdsOf(db, orgId, [...new Set(orgSignals.map((s) => s.student_id))]),
        )
        for (const signal of orgSignals) {
          const next = countersAfter(counters.get(signal.student_id) ?? {}, signal)
          counters.set(signal.student_id, next)
          for (const badge of badges.get(orgId) ?? []) {
            const id = awardId(badge.id, signal.student_id)
            if (held.has(id) || !meetsCriteria(badge.criteria, next)) continue
            const award = awardOf(badge, signal.student_id, signal.occurred_at, signal.id)
            if (!award) continue
            held.add(id)
            awards.push(award)
          }
        }
        for (const [studentId, values] of counters) {
          for (const [key, value] of Object.entries(values)) {
            counterRows.push({ org_id: orgId, student_id: studentId, key, value })
          }
        }
      }
      await repo.saveCounters(db, counterRows)
      const at = signals[signals.length - 1]?.occurred_at ?? ''
      await grantAwards(deps.identity, db, awards, at, deps.badgeAwarded)
    },
    async reset(db) {
      await repo.deleteAwardsAndCounters(db)
      await repo.deleteXpOfCauses(db, ['badge'])
    },
  }
}
