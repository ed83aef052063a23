import { localDay, localWeek, shiftDay, startOfLocalWeek } from '../../core/calendar.ts'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { badRequest, forbidden } from '../../core/http/errors.ts'
import type { JobQueue } from '../../core/jobs/job.ts'
import { type AuditActor, recordAudit, systemActor } from '../audit/index.ts'
import * as identity from '../identity/index.ts'
import type { BadgeAwardedPort } from './contract.ts'
import { heartsReactor } from './projections/hearts.ts'
import * as repo from './repository/index.ts'
import { fullHearts, type HeartsState, heartTimes, loseHeart, regenerate } from './rules/hearts.ts'
import { levelOf } from './rules/levels.ts'
import {
  changedSettings,
  type GamificationSettingsPatch,
  mergeSettings,
  readSettings,
} from './rules/settings.ts'
import { firstDayToClose, noStreak, type StreakDay, type StreakView, streakAsOf } from './rules/streak.ts'
import type { LeaderboardQuery } from './schemas.ts'

export type GamificationDeps = {
  db: Db
  clock: Clock
  identity: identity.IdentityDeps
  /** The students of a team of the school (catalog); 404 when it has no such team. */
  teamStudents: (orgId: string, teamId: string) => Promise<string[]>
  /** Where requests hand work to the background (an XP rebuild); absent where no job runs. */
  jobs?: JobQueue
  /** Tells students of the badges they are awarded (notifications); without it, nobody is told. */
  badgeAwarded?: BadgeAwardedPort
}

/** The school's time zone: its days close streaks, its weeks window XP and leaderboards. */
export async function timezoneOf(deps: GamificationDeps, orgId: string): Promise<string> {
  return (await identity.getOrganisation(deps.identity, orgId)).timezone
}

export async function settingsOf(deps: GamificationDeps, orgId: string) {
  return readSettings(await repo.findSettings(deps.db, orgId))
}

/**
 * Changes a school's settings. New amounts apply to what happens next; an XP rebuild (the settings page's
 * button, or `sillon projections rebuild gamification_xp` for every school) pays past activity again.
 * A change goes to the audit log, naming `by` (the member over HTTP; the system for seeds and tests).
 */
export async function updateSettings(
  deps: GamificationDeps,
  orgId: string,
  patch: GamificationSettingsPatch,
  by: AuditActor = systemActor,
) {
  const current = await settingsOf(deps, orgId)
  const next = mergeSettings(current, patch)
  const changes = changedSettings(current, next)
  await deps.db.transaction().execute(async (trx) => {
    await repo.saveSettings(trx, orgId, JSON.stringify(next), deps.clock.now().toISOString())
    if (Object.keys(changes).length === 0) return
    await recordAudit(
      { db: trx, clock: deps.clock },
      {
        orgId,
        actor: by,
        action: 'gamification.settings_changed',
        target: { type: 'gamification_settings', id: orgId },
        details: { changes },
      },
    )
  })
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

export async function studentIdOf(deps: GamificationDeps, actor: MemberIdentity) {
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  if (!studentId) throw forbidden('This view is for students', 'not_a_student')
  return studentId
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
