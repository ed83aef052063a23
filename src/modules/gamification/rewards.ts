import type { Db } from '../../core/db/database.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { awardView } from './presenters.ts'
import * as repo from './repository/index.ts'
import { levelOf } from './rules/levels.ts'
import { type GamificationDeps, studentIdOf } from './service.ts'

// Rewards as they happen: the XP and badges a student's activity brought since a cursor, for the reward card.

/**
 * How far every reward is known: the signal log position both reactors that give XP and badges have
 * applied (a signal at or before it has all its XP and awards stored).
 */
async function rewardsHead(db: Db) {
  const [xp, badges] = await Promise.all([
    repo.checkpointOf(db, 'gamification_xp'),
    repo.checkpointOf(db, 'gamification_badges'),
  ])
  return Math.min(xp, badges)
}

/**
 * The XP entries and badges the caller's activity brought since `after` (a `cursor` this gave before), with
 * their XP and level before and after them. Without `after`, nothing is new: the answer gives the cursor to
 * start from. Exact whenever the reactors run: a signal is listed once both have applied it.
 */
export async function rewardsSince(deps: GamificationDeps, actor: MemberIdentity, after: number | undefined) {
  const studentId = await studentIdOf(deps, actor)
  // A rebuild moves the reactors back: what came before `after` was shown already.
  const cursor = Math.max(after ?? 0, await rewardsHead(deps.db))
  const from = after ?? cursor
  const [entries, awards, total] = await Promise.all([
    repo.xpCausedBetween(deps.db, actor.orgId, studentId, from, cursor),
    repo.awardsCausedBetween(deps.db, actor.orgId, studentId, from, cursor),
    repo.xpThrough(deps.db, actor.orgId, studentId, cursor),
  ])
  const gained = entries.reduce((sum, e) => sum + e.points, 0)
  return {
    cursor: String(cursor),
    xp_gained: gained,
    level_before: levelOf(total - gained).level,
    xp: { total, level: levelOf(total) },
    entries: entries.map((e) => ({
      id: e.id,
      cause: e.cause,
      points: e.points,
      occurred_at: e.occurred_at,
      course_id: e.course_id,
      class_id: e.class_id,
    })),
    badges: awards.map(awardView),
  }
}

/** The XP and badges a student earned through one course's steps (its completion included). */
export async function courseRewards(
  deps: GamificationDeps,
  orgId: string,
  studentId: string,
  courseId: string,
) {
  const { xp, awards } = await repo.rewardsOfCourse(deps.db, orgId, studentId, courseId)
  return { xp, badges: awards.map(awardView) }
}
