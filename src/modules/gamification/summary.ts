import { localDay, shiftDay } from '../../core/calendar.ts'
import { badgeCount, recentAwards } from './badges.ts'
import {
  type GamificationDeps,
  heartsOf,
  streakCalendar,
  streakOf,
  timezoneOf,
  xpSummary,
} from './service.ts'

// A student's game at a glance (XP and level, badges, streak, hearts), for the learner API and the dashboard.

async function gameOf(deps: GamificationDeps, orgId: string, studentId: string) {
  const [xp, count, recent, streak, hearts] = await Promise.all([
    xpSummary(deps, orgId, studentId),
    badgeCount(deps, orgId, studentId),
    recentAwards(deps, orgId, studentId, 5),
    streakOf(deps, orgId, studentId),
    heartsOf(deps, orgId, studentId),
  ])
  return {
    xp,
    badges: {
      count,
      recent: recent.map((a) => ({
        badge_id: a.badge_id,
        code: a.code,
        key: a.key,
        name: a.name,
        icon: a.icon,
        awarded_at: a.awarded_at,
        points: a.points,
      })),
    },
    streak,
    hearts,
  }
}

/** What the learner summary shows of a student's game: XP and level, badges, streak, hearts. */
export async function learnerGamification(deps: GamificationDeps, orgId: string, studentId: string) {
  const {
    hearts: { full_at: _full, ...hearts },
    ...game
  } = await gameOf(deps, orgId, studentId)
  return { ...game, hearts }
}

/**
 * What the student dashboard shows of their game: the learner summary's, when hearts are full again, and
 * the streak's last `days` days up to today in the school's time zone, for its calendar.
 */
export async function dashboardGamification(
  deps: GamificationDeps,
  orgId: string,
  studentId: string,
  days: number,
) {
  const to = localDay(deps.clock.now(), await timezoneOf(deps, orgId))
  const from = shiftDay(to, 1 - days)
  const [game, calendar] = await Promise.all([
    gameOf(deps, orgId, studentId),
    streakCalendar(deps, orgId, studentId, from, to),
  ])
  return { ...game, streak: { ...game.streak, calendar: { from, to, days: calendar } } }
}
