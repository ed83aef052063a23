// The gamification module's public face: its routes, its signal reactors, its jobs, and the read
// functions dashboards use.

import type { SignalReactor } from '../../core/events/projector.ts'
import type { JobDefinition } from '../../core/jobs/job.ts'
import { closeStreakDayJob } from './jobs/close-streak-day.ts'
import { regenerateHeartsJob } from './jobs/regenerate-hearts.ts'
import { badgesReactor } from './projections/badges.ts'
import { heartsReactor } from './projections/hearts.ts'
import { streaksReactor } from './projections/streaks.ts'
import { xpReactor } from './projections/xp.ts'
import type { GamificationDeps } from './service.ts'
import type { GamificationTables } from './tables.ts'
import { rebuildXpJob } from './xp-rebuild/rebuild.ts'

export { badgeCount, giveDefaultBadges, recentAwards } from './badges.ts'
export { gamificationPrivacy } from './privacy.ts'
export { refreshScores } from './repository/index.ts'
export { courseRewards } from './rewards.ts'
export { levelOf } from './rules/levels.ts'
export { EarnedBadgeSchema } from './schemas.ts'
export {
  type GamificationDeps,
  heartsForAttempt,
  heartsOf,
  streakCalendar,
  streakOf,
  studentsOutOfHearts,
  updateSettings,
  xpSummary,
} from './service.ts'
export { dashboardGamification, learnerGamification } from './summary.ts'

/** The reactors, in the order they run: later ones may read what earlier ones wrote. */
export function gamificationReactors(deps: GamificationDeps): SignalReactor[] {
  return [xpReactor(deps), streaksReactor(deps), badgesReactor(deps), heartsReactor]
}

/** The scheduled and queued jobs of gamification. */
export function gamificationJobs(deps: GamificationDeps): JobDefinition[] {
  return [closeStreakDayJob(deps), regenerateHeartsJob(deps), rebuildXpJob(deps)]
}

declare module '../../core/db/database.ts' {
  /** The tables the gamification module owns. */
  interface Database extends GamificationTables {}
}
