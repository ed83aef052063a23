import type { Selectable } from 'kysely'
import { localDay, localWeek, shiftDay, startOfLocalWeek } from '../../core/calendar.ts'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { badRequest, conflict, forbidden, notFound } from '../../core/http/errors.ts'
import type { JobQueue } from '../../core/jobs/job.ts'
import * as identity from '../identity/index.ts'
import { awardOf, grantAwards, liveBadges, lockBadges } from './projections/badges.ts'
import { heartsReactor } from './projections/hearts.ts'
import * as repo from './repository/index.ts'
import {
  type ActivePeriod,
  type BadgeCriteria,
  type Counters,
  counterKeysOf,
  meetsCriteria,
  parseCriteria,
  progressTowards,
  setActive,
} from './rules/badge-criteria.ts'
import { sortBadges } from './rules/badge-order.ts'
import { fullHearts, type HeartsState, heartTimes, loseHeart, regenerate } from './rules/hearts.ts'
import { levelOf } from './rules/levels.ts'
import { type GamificationSettingsPatch, mergeSettings, readSettings } from './rules/settings.ts'
import { firstDayToClose, noStreak, type StreakDay, type StreakView, streakAsOf } from './rules/streak.ts'
import type { BadgeInput, BadgePatch, LeaderboardQuery } from './schemas.ts'
import type { BadgeRow } from './tables.ts'

export type GamificationDeps = {
  db: Db
  clock: Clock
  identity: identity.IdentityDeps
  /** The students of a team of the school (catalog); 404 when it has no such team. */
  teamStudents: (orgId: string, teamId: string) => Promise<string[]>
  /** Where requests hand work to the background (an XP rebuild); absent where no job runs. */
  jobs?: JobQueue
}

/** The school's time zone: its days close streaks, its weeks window XP and leaderboards. */
async function timezoneOf(deps: GamificationDeps, orgId: string): Promise<string> {
  return (await identity.getOrganisation(deps.identity, orgId)).timezone
}

export async function settingsOf(deps: GamificationDeps, orgId: string) {
  return readSettings(await repo.findSettings(deps.db, orgId))
}

/**
 * Changes a school's settings. New amounts apply to what happens next; an XP rebuild (the settings page's
 * button, or `sillon projections rebuild gamification_xp` for every school) pays past activity again.
 */
export async function updateSettings(
  deps: GamificationDeps,
  orgId: string,
  patch: GamificationSettingsPatch,
) {
  const next = mergeSettings(await settingsOf(deps, orgId), patch)
  await repo.saveSettings(deps.db, orgId, JSON.stringify(next), deps.clock.now().toISOString())
  return next
}

/** A student's XP: total, this week (from Monday 00:00 in the school's time zone), level. */
export async function xpSummary(deps: GamificationDeps, orgId: string, studentId: string) {
  const since = startOfLocalWeek(deps.clock.now(), await timezoneOf(deps, orgId)).toISOString()
  const { total, recent } = await repo.xpTotals(deps.db, orgId, studentId, since)
  return { total, this_week: recent, week_start: since, level: levelOf(total) }
}

// Streaks

/** The streak as of now: the last closed state, plus the days not closed yet (today included). */
async function streakNow(deps: GamificationDeps, orgId: string, studentId: string) {
  const [timezone, settings] = await Promise.all([timezoneOf(deps, orgId), settingsOf(deps, orgId)])
  const today = localDay(deps.clock.now(), timezone)
  const [row] = await repo.streakStatesOf(deps.db, orgId, [studentId])
  const state = row ?? noStreak
  const since = firstDayToClose(state, shiftDay(today, -1))
  const active = new Set(await repo.activityDaysOf(deps.db, orgId, studentId, since))
  return streakAsOf(state, active, today, settings.streaks)
}

/**
 * A student's streak, right at every read: days are closed by a nightly job, but a day the student is
 * active counts at once, and days the job has not closed yet are closed here the way it will close them.
 */
export async function streakOf(
  deps: GamificationDeps,
  orgId: string,
  studentId: string,
): Promise<StreakView> {
  return (await streakNow(deps, orgId, studentId)).view
}

const DAY = /^\d{4}-\d{2}-\d{2}$/
const MAX_CALENDAR_DAYS = 400

/** The streak's days from `fromDay` to `toDay` (YYYY-MM-DD, inclusive): active, frozen, or where it broke. */
export async function streakCalendar(
  deps: GamificationDeps,
  orgId: string,
  studentId: string,
  fromDay: string,
  toDay: string,
): Promise<StreakDay[]> {
  const valid = (day: string) => DAY.test(day) && shiftDay(day, 0) === day
  if (!valid(fromDay) || !valid(toDay) || fromDay > toDay || shiftDay(fromDay, MAX_CALENDAR_DAYS) <= toDay) {
    throw badRequest(
      'invalid_range',
      `Give two days (YYYY-MM-DD), in order, at most ${MAX_CALENDAR_DAYS} apart`,
    )
  }
  const [closed, { unclosed }] = await Promise.all([
    repo.streakHistoryOf(deps.db, orgId, studentId, fromDay, toDay),
    streakNow(deps, orgId, studentId),
  ])
  const days: StreakDay[] = closed.map((d) => ({ ...d, active: d.active === 1, frozen: d.frozen === 1 }))
  return [...days, ...unclosed.filter((d) => d.day >= fromDay && d.day <= toDay)]
}

// Hearts

/** A student's hearts now (regeneration included, even between refill jobs), or full when hearts are off. */
export async function heartsOf(deps: GamificationDeps, orgId: string, studentId: string) {
  const { hearts: rules } = await settingsOf(deps, orgId)
  if (!rules.enabled) {
    return {
      enabled: false,
      hearts: rules.max_hearts,
      max_hearts: rules.max_hearts,
      next_heart_at: null,
      full_at: null,
    }
  }
  const [row] = await repo.heartsRowsOf(deps.db, orgId, [studentId])
  const { state } = regenerate(row ?? fullHearts(rules), deps.clock.now().toISOString(), rules)
  return { enabled: true, hearts: state.hearts, max_hearts: rules.max_hearts, ...heartTimes(state, rules) }
}

/**
 * The hearts a new quiz attempt at `at` may spend, or null when the school has hearts off: the stored row,
 * less the failed attempts of the log the hearts reactor has not read yet (each at its time, as the
 * reactor will take them), regenerated up to `at`. So an attempt is judged with every attempt stored
 * before it, however far the reactor lags. `db` is the caller's transaction, which holds the log still.
 */
export async function heartsForAttempt(db: Db, orgId: string, studentId: string, at: string) {
  const { hearts: rules } = readSettings((await repo.findSettingsOf(db, [orgId])).get(orgId) ?? null)
  if (!rules.enabled) return null
  // The checkpoint before the row: an attempt the reactor reads in between is in the row, at or before its
  // last attempt, so it is counted once whenever the reactor moves.
  const checkpoint = await repo.checkpointOf(db, heartsReactor.name)
  const [row] = await repo.heartsRowsOf(db, orgId, [studentId])
  const unread = await repo.attemptsUnreadBy(
    db,
    orgId,
    studentId,
    row?.last_attempt_event_id ?? null,
    checkpoint,
  )
  let state: HeartsState = row ?? fullHearts(rules)
  for (const attempt of unread) {
    if ((JSON.parse(attempt.payload_json) as { passed?: boolean }).passed === false) {
      state = loseHeart(state, attempt.received_at, rules).state
    }
  }
  const { state: now } = regenerate(state, at, rules)
  return {
    hearts: now.hearts,
    max_hearts: rules.max_hearts,
    next_heart_at: heartTimes(now, rules).next_heart_at,
  }
}

/** The students of a school with no heart left right now, and when each gets one back. */
export async function studentsOutOfHearts(
  deps: GamificationDeps,
  orgId: string,
): Promise<{ student_id: string; next_heart_at: string }[]> {
  const { hearts: rules } = await settingsOf(deps, orgId)
  if (!rules.enabled) return []
  const now = deps.clock.now().toISOString()
  return (await repo.heartsBelow(deps.db, orgId, 1)).flatMap((row) => {
    const { state } = regenerate(row, now, rules)
    const { next_heart_at } = heartTimes(state, rules)
    return state.hearts === 0 && next_heart_at ? [{ student_id: row.student_id, next_heart_at }] : []
  })
}

// Badges

/** Gives the school the default badges it lacks (idempotent), as if they had existed since its creation. */
/** Gives a school created now its default badges (schools from before get them at their first use). */
export async function giveDefaultBadges(db: Db, org: identity.OrganisationRow) {
  await repo.ensureDefaultBadges(db, org.id, org.created_at, org.default_locale)
}

async function ensureDefaultBadges(deps: GamificationDeps, orgId: string) {
  const org = await identity.getOrganisation(deps.identity, orgId)
  await repo.ensureDefaultBadges(deps.db, orgId, org.created_at, org.default_locale)
}

function badgeView(row: Selectable<BadgeRow>, awardedCount: number) {
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
  await grantAwards(deps.identity, trx, awards, at)
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

async function studentIdOf(deps: GamificationDeps, actor: MemberIdentity) {
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  if (!studentId) throw forbidden('This view is for students', 'not_a_student')
  return studentId
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

// Leaderboards

/** `<points>:<student id>`, the `next_after` of a page (the schema checks its shape). */
function parseCursor(cursor: string) {
  const colon = cursor.indexOf(':')
  return { points: Number(cursor.slice(0, colon)), studentId: cursor.slice(colon + 1) }
}

/**
 * The school's leaderboard, or a team's: students who earned points or badges, by points (all time, or this
 * week from Monday 00:00 in the school's time zone), with competition ranks (1, 1, 3). A student caller
 * also gets their own row (`me`), wherever it falls; with no points yet they share the last rank.
 */
export async function leaderboard(deps: GamificationDeps, actor: MemberIdentity, query: LeaderboardQuery) {
  const { orgId } = actor
  if (query.after && query.offset > 0) {
    throw badRequest('validation_failed', 'Invalid request: give either offset or after, not both')
  }
  const studentIds = query.teamId ? await deps.teamStudents(orgId, query.teamId) : undefined
  const timezone = query.period === 'week' ? await timezoneOf(deps, orgId) : null
  const now = deps.clock.now()
  const board = timezone ? localWeek(now, timezone) : repo.ALL_TIME
  const { rows, total } = await repo.boardPage(deps.db, orgId, board, {
    limit: query.limit,
    offset: query.offset,
    after: query.after ? parseCursor(query.after) : undefined,
    studentIds,
  })

  const ownId =
    actor.role === 'student'
      ? (await identity.profilesOfUser(deps.identity, orgId, actor.userId)).studentId
      : null
  const ranked = ownId && (!studentIds || studentIds.includes(ownId)) ? ownId : null
  const me = ranked ? await repo.placeOnBoard(deps.db, orgId, board, ranked, studentIds) : null

  const ids = [...new Set([...rows, ...(me ? [me] : [])].map((r) => r.student_id))]
  const people = await identity.peopleByIds(deps.identity, orgId, 'lms_student', ids)
  const names = new Map(people.map((p) => [p.id, p.name]))
  const view = (r: repo.RankedScore) => ({
    rank: r.rank,
    student_id: r.student_id,
    name: names.get(r.student_id) ?? null,
    total_points: r.total_points,
    badges_count: Number(r.badges_count),
  })
  const last = rows.at(-1)
  return {
    period: query.period,
    team_id: query.teamId ?? null,
    since: timezone ? startOfLocalWeek(now, timezone).toISOString() : null,
    total,
    limit: query.limit,
    offset: query.offset,
    next_after: rows.length === query.limit && last ? `${last.total_points}:${last.student_id}` : null,
    rows: rows.map(view),
    me: me ? view(me) : null,
  }
}

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

// Rewards as they happen

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

const awardView = (a: Awaited<ReturnType<typeof repo.awardsCausedBetween>>[number]) => ({
  badge_id: a.badge_id,
  code: a.code,
  key: a.key,
  name: a.name,
  description: a.description,
  icon: a.icon,
  awarded_at: a.awarded_at,
  points: a.points,
})

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
