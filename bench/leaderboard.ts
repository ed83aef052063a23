import { randomUUID } from 'node:crypto'
import { type Insertable, sql } from 'kysely'
import type { App } from '../src/app.ts'
import { localDay, localWeek, startOfLocalWeek } from '../src/core/calendar.ts'
import type { Database, DbHandle } from '../src/core/db/database.ts'
import * as gamification from '../src/modules/gamification/index.ts'
import * as identity from '../src/modules/identity/index.ts'
import { signalId } from '../src/modules/progress/index.ts'
import type { PingRequest } from './pings.ts'
import { benchMember } from './seed.ts'

// The leaderboard of a large school (issue 5: "fast on 100k students"). Creating that many accounts
// through better-auth would take hours of scrypt, so the students and what the gamification reactors
// would have derived from their signals (XP ledger, scores) are written straight to the
// tables, and the weekly scores and histograms counted from them as a rebuild does; only the two members who call the API are real accounts with API tokens.

const TIMEZONE = 'Europe/Paris'
const WEEK_MS = 7 * 86_400_000
/** Weeks of history before the current one. */
const PAST_WEEKS = 5
/** Share of the students who earned something this week. */
const ACTIVE_THIS_WEEK = 0.4
/** Students generated and written at a time, to bound memory. */
const STUDENTS_PER_BATCH = 2_000
// SQLite's default limit on bound parameters per statement (PostgreSQL's is 65,535).
const MAX_PARAMETERS = 32_766

type Ledger = Insertable<Database['xp_ledger']>
type Cause = Ledger['cause']

type XpAmounts = Record<
  'video_completed' | 'quiz_passed' | 'perfect_quiz' | 'course_completed' | 'streak_day',
  number
>

/** A count badge of the school (`{ count: { signal }, gte }`): the only kind the generated activity earns. */
type CountBadge = { id: string; points: number; cause: Cause; gte: number }

export type LeaderboardSchool = {
  orgId: string
  students: number
  ledgerEntries: number
  badges: number
  adminToken: string
  studentToken: string
  seedSeconds: number
  /** The `after` cursor of the row halfway down the all-time board: a deep page by keyset. */
  middleCursor: string
}

type LeaderboardRequest = PingRequest & { method: 'GET'; path: string }

/** Deterministic, so that both dialects, and every run, get the same points to rank. */
function mulberry32(seed: number) {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

async function readAs<T>(app: App, token: string, path: string): Promise<T> {
  const response = await app.app.request(path, { headers: { authorization: `Bearer ${token}` } })
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

/** The school's badges that count one kind of signal, with the ledger cause that signal pays. */
async function countBadgesOf(app: App, adminToken: string): Promise<CountBadge[]> {
  type Badge = {
    id: string
    points_reward: number
    criteria: { count?: { signal: string; perfect?: boolean }; gte?: number }
  }
  const causes: Record<string, Cause> = {
    VIDEO_COMPLETED: 'video_completed',
    QUIZ_PASSED: 'quiz_passed',
    COURSE_COMPLETED: 'course_completed',
  }
  const badges = await readAs<Badge[]>(app, adminToken, '/api/gamification/badges')
  return badges.flatMap(({ id, points_reward, criteria: { count, gte } }) => {
    const cause = count?.perfect ? 'perfect_quiz' : causes[count?.signal ?? '']
    return cause && gte ? [{ id, points: points_reward, cause, gte }] : []
  })
}

/** What a student did in the last weeks, in signals. */
type Plan = {
  videos: number
  quizzes: number
  perfectQuizzes: number
  streakDays: number
  courseCompleted: boolean
  activeThisWeek: boolean
}

/** A few videos and quizzes, a streak day or two, rarely the whole course; a share active this week. */
function drawPlan(random: () => number): Plan {
  const quizzes = Math.floor(random() * 2)
  return {
    videos: 1 + Math.floor(random() * 4),
    quizzes,
    perfectQuizzes: quizzes > 0 && random() < 0.3 ? 1 : 0,
    streakDays: Math.floor(random() * 2),
    courseCompleted: random() < 0.05,
    activeThisWeek: random() < ACTIVE_THIS_WEEK,
  }
}

/**
 * The real student: middling (90 XP, some 40% down the all-time board) and active this week, so that their
 * own row costs what a typical student's does.
 */
const MIDDLING: Plan = {
  videos: 2,
  quizzes: 1,
  perfectQuizzes: 0,
  streakDays: 0,
  courseCompleted: false,
  activeThisWeek: true,
}

/**
 * One student's XP entries and badges, as the reactors would have written them from their signals: the
 * first videos and quizzes of the school's course (it is linear), worth the school's amounts (so totals tie
 * often), at instants spread over the last weeks.
 */
function activityOf(
  school: { orgId: string; courseId: string; classIds: string[]; xp: XpAmounts; badges: CountBadge[] },
  studentId: string,
  plan: Plan,
  random: () => number,
  window: { from: number; weekStart: number; now: number },
) {
  const { orgId, xp } = school
  /** `count` instants in order; the last one this week for a student active this week. */
  const instants = (count: number) =>
    Array.from({ length: count }, (_, i) => {
      const thisWeek = plan.activeThisWeek && (i === count - 1 || random() < 0.3)
      const [from, until] = thisWeek ? [window.weekStart, window.now] : [window.from, window.weekStart]
      return from + random() * (until - from)
    })
      .sort((a, b) => a - b)
      .map((ms) => new Date(ms).toISOString())
  const ledger: Ledger[] = []
  const add = (cause: Cause, points: number, subjectId: string, occurredAt: string) => {
    if (points <= 0) return
    ledger.push({
      id: `${cause}:${subjectId}`,
      org_id: orgId,
      student_id: studentId,
      cause,
      subject_id: subjectId,
      points,
      occurred_at: occurredAt,
      week: localWeek(occurredAt, TIMEZONE),
      created_at: occurredAt,
    })
  }
  const videos = instants(plan.videos)
  videos.forEach((at, i) => {
    add(
      'video_completed',
      xp.video_completed,
      signalId('VIDEO_COMPLETED', studentId, school.classIds[i] as string),
      at,
    )
  })
  instants(plan.quizzes).forEach((at, i) => {
    const quiz = signalId('QUIZ_PASSED', studentId, school.classIds[videos.length + i] as string)
    add('quiz_passed', xp.quiz_passed, quiz, at)
    if (i < plan.perfectQuizzes) add('perfect_quiz', xp.perfect_quiz, quiz, at)
  })
  // The streak job's signal id (one per local day).
  const days = new Map(instants(plan.streakDays).map((at) => [localDay(at, TIMEZONE), at]))
  for (const [day, at] of days) add('streak_day', xp.streak_day, `STREAK_DAY:${studentId}:${day}`, at)
  if (plan.courseCompleted) {
    add(
      'course_completed',
      xp.course_completed,
      signalId('COURSE_COMPLETED', studentId, school.courseId),
      videos.at(-1) as string,
    )
  }

  // A count badge is earned by the signal that reaches its threshold, and pays its points then. The board
  // reads only the score's badges_count: the award rows are left out, a third fewer rows to write.
  let badges = 0
  for (const badge of school.badges) {
    const reached = ledger.filter((e) => e.cause === badge.cause)[badge.gte - 1]
    if (!reached) continue
    badges += 1
    add('badge', badge.points, `${badge.id}:${studentId}`, reached.occurred_at)
  }
  const score = {
    org_id: orgId,
    student_id: studentId,
    total_points: ledger.reduce((sum, e) => sum + e.points, 0),
    badges_count: badges,
  }
  return { ledger, score }
}

function fakeStudent(orgId: string, index: number, at: string): Insertable<Database['lms_student']> {
  return {
    id: randomUUID(),
    org_id: orgId,
    user_id: null,
    name: `Learner ${index}`,
    first_name: 'Learner',
    last_name: String(index),
    emails_json: '[]',
    address_json: null,
    telephones_json: '[]',
    image_url: null,
    title: null,
    raw_json: null,
    created_at: at,
    updated_at: at,
  }
}

/** Inserts in statements under the parameter limit, queued at once on the transaction's connection. */
function insertChunked<T extends keyof Database & string>(
  db: DbHandle['db'],
  table: T,
  rows: Insertable<Database[T]>[],
) {
  const first = rows[0]
  if (!first) return []
  const size = Math.floor(MAX_PARAMETERS / Object.keys(first).length)
  return Array.from({ length: Math.ceil(rows.length / size) }, (_, i) =>
    // Kysely cannot check values against a table chosen by a type parameter.
    db
      .insertInto(table)
      .values(rows.slice(i * size, (i + 1) * size) as never)
      .execute(),
  )
}

/**
 * A school of `studentCount` students with a few weeks of XP each: an admin (not a student) and one real
 * student, both with API tokens, and the others written straight to the tables.
 */
export async function seedLeaderboardSchool(
  app: App,
  database: DbHandle,
  studentCount: number,
  label: string,
): Promise<LeaderboardSchool> {
  const started = performance.now()
  const org = await identity.createOrganisation(app.identity, {
    slug: `bench-leaderboard-${label}`,
    name: `Bench leaderboard school (${label})`,
    default_locale: 'fr',
    timezone: TIMEZONE,
  })
  const admin = await benchMember(app, org.id, {
    email: `admin@${label}.leaderboard.bench.sillon.test`,
    name: 'Leaderboard Admin',
    role: 'admin',
  })
  const student = await benchMember(app, org.id, {
    email: `student@${label}.leaderboard.bench.sillon.test`,
    name: 'Leaderboard Student',
    role: 'student',
  })
  const { studentId } = student
  if (!studentId) throw new Error('the bench student has no student profile')
  const { xp } = await readAs<{ xp: XpAmounts }>(app, admin.token, '/api/gamification/settings')
  const badges = await countBadgesOf(app, admin.token)

  const now = Date.now()
  const weekStart = startOfLocalWeek(new Date(now), TIMEZONE).getTime()
  const window = { from: weekStart - PAST_WEEKS * WEEK_MS, weekStart, now }
  const at = new Date(now).toISOString()
  const random = mulberry32(20_261_201)
  const context = {
    orgId: org.id,
    courseId: randomUUID(),
    classIds: Array.from({ length: 12 }, () => randomUUID()),
    xp,
    badges,
  }
  let ledgerEntries = 0
  let badgesEarned = 0
  // The indexes of 100k students outgrow SQLite's default 2 MB page cache: a larger one (for this
  // connection only) keeps the load from reading the same pages again and again.
  if (database.dialect === 'sqlite') await sql`pragma cache_size = -262144`.execute(database.db)
  await database.db.transaction().execute(async (trx) => {
    // PostgreSQL writes a batch while the next one is drawn.
    let writing: Promise<unknown> = Promise.resolve()
    for (let start = 0; start < studentCount; start += STUDENTS_PER_BATCH) {
      const end = Math.min(start + STUDENTS_PER_BATCH, studentCount)
      // The real student counts as number 0.
      const crowd = Array.from({ length: end - start }, (_, i) => start + i)
        .filter((i) => i > 0)
        .map((i) => fakeStudent(org.id, i, at))
      const activity = crowd.map((s) => activityOf(context, s.id, drawPlan(random), random, window))
      if (start === 0) activity.push(activityOf(context, studentId, MIDDLING, random, window))
      await writing
      writing = Promise.all([
        ...insertChunked(trx, 'lms_student', crowd),
        ...insertChunked(
          trx,
          'xp_ledger',
          activity.flatMap((a) => a.ledger),
        ),
        ...insertChunked(
          trx,
          'gamification_score',
          activity.map((a) => a.score),
        ),
      ])
      ledgerEntries += activity.reduce((sum, a) => sum + a.ledger.length, 0)
      badgesEarned += activity.reduce((sum, a) => sum + a.score.badges_count, 0)
    }
    await writing
    // The weekly scores and the histograms, counted from the ledger as a rebuild does.
    await gamification.refreshScores(trx)
  })
  // What SQLite's automatic checkpoints and PostgreSQL's autovacuum do soon after such a load (the SQLite
  // server takes its planner statistics when it opens).
  if (database.dialect === 'sqlite') await sql`pragma wal_checkpoint(truncate)`.execute(database.db)
  if (database.dialect === 'postgres') {
    await sql`vacuum analyze lms_student, xp_ledger, gamification_score, gamification_week_score,
      gamification_score_histogram`.execute(database.db)
  }
  const seedSeconds = (performance.now() - started) / 1000
  const middle = await readAs<{ rows: { student_id: string; total_points: number }[] }>(
    app,
    admin.token,
    `/api/leaderboard?limit=1&offset=${Math.floor(studentCount / 2) - 1}`,
  )
  const before = middle.rows[0]
  if (!before) throw new Error('the leaderboard school has no middle row')
  return {
    orgId: org.id,
    students: studentCount,
    ledgerEntries,
    badges: badgesEarned,
    adminToken: admin.token,
    studentToken: student.token,
    seedSeconds,
    middleCursor: `${before.total_points}:${before.student_id}`,
  }
}

function get(token: string, path: string): () => LeaderboardRequest {
  // fireRequests spreads each request over its POST /api/video-event: method and path override it.
  const request: LeaderboardRequest = {
    method: 'GET',
    path,
    headers: { authorization: `Bearer ${token}` },
    body: '',
  }
  return () => request
}

/** A signed-in read to compare the boards with: the cheapest there is, as the same admin. */
export function signedInReference(school: LeaderboardSchool) {
  return {
    scenario: 'signed-in read: GET /api/auth/me (admin)',
    next: get(school.adminToken, '/api/auth/me'),
  }
}

/**
 * What is measured, in the same words for every school size: first pages, all time and this week, as an
 * admin and as a student (who also gets `me`), and a page half-way down by offset and by cursor.
 */
export function leaderboardScenarios(school: LeaderboardSchool) {
  const half = Math.floor(school.students / 2)
  return [
    { scenario: 'all time (admin)', next: get(school.adminToken, '/api/leaderboard') },
    {
      scenario: 'all time, half-way by offset (admin)',
      next: get(school.adminToken, `/api/leaderboard?offset=${half}`),
    },
    {
      scenario: 'all time, half-way by cursor (admin)',
      next: get(school.adminToken, `/api/leaderboard?after=${encodeURIComponent(school.middleCursor)}`),
    },
    { scenario: 'all time (student, + me)', next: get(school.studentToken, '/api/leaderboard') },
    { scenario: 'this week (admin)', next: get(school.adminToken, '/api/leaderboard?period=week') },
    { scenario: 'this week (student, + me)', next: get(school.studentToken, '/api/leaderboard?period=week') },
  ]
}

type Board = { total: number; rows: unknown[]; me: { rank: number; total_points: number } | null }

/** What the boards say, and whether every score is the sum of its ledger (as the reactors keep it). */
export async function leaderboardCheck(app: App, database: DbHandle, school: LeaderboardSchool) {
  const [all, week, deep, after] = await Promise.all([
    readAs<Board>(app, school.studentToken, '/api/leaderboard'),
    readAs<Board>(app, school.studentToken, '/api/leaderboard?period=week'),
    readAs<Board>(app, school.adminToken, `/api/leaderboard?offset=${Math.floor(school.students / 2)}`),
    readAs<Board>(
      app,
      school.adminToken,
      `/api/leaderboard?after=${encodeURIComponent(school.middleCursor)}`,
    ),
  ])
  const same = JSON.stringify(after.rows) === JSON.stringify(deep.rows)
  const drift = await database.db
    .selectFrom('gamification_score as s')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('s.org_id', '=', school.orgId)
    .where(
      's.total_points',
      '<>',
      sql<number>`(select coalesce(sum(x.points), 0) from xp_ledger x
        where x.org_id = s.org_id and x.student_id = s.student_id)`,
    )
    .executeTakeFirstOrThrow()
  const place = (board: Board) => (board.me ? `#${board.me.rank} (${board.me.total_points} XP)` : 'absent')
  return (
    `${all.total} ranked all time, ${week.total} this week; the student is ${place(all)} all time, ` +
    `${place(week)} this week; the deep page has ${deep.rows.length} rows, ` +
    `${same ? 'the same' : 'NOT the same'} by cursor; ` +
    `${Number(drift.n)} scores differ from their ledger`
  )
}
