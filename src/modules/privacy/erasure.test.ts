import { sql } from 'kysely'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { REBUILT_READ_MODELS, testDialects } from '../../../test/helpers/databases.ts'
import {
  completeSteps,
  createOrg,
  createStudent,
  PASSWORD,
  signedInMember,
  signIn,
} from '../../../test/helpers/factories.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { runJobByHand } from '../../core/jobs/commands.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import { addMember, createApiToken, profilesOfUser } from '../identity/index.ts'
import { trackingEvents } from '../tracking/index.ts'

// A school lives a few days (videos, a quiz with a free-text answer, a reading, a class, XP, badges,
// streaks, an API token, an administrator's export), then one student is erased. Afterwards no text column
// of any table holds her name, e-mail or any id she had; the other students' read models and the school's
// counts are as before; and a rebuild of every projection from the pseudonymised logs gives the same rows.

const DAY = 86_400_000
const START = Date.parse('2026-11-16T08:00:00.000Z') // a Monday, 09:00 in Paris
const silent = pino({ level: 'silent' })

/** Times of the writes themselves, which a rebuild sets anew. */
const writeTimes: Record<string, string> = { xp_ledger: 'created_at', mastery_question: 'updated_at' }

describe.each(testDialects())('erasing a student on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let owner: TestClient
  let courseId: string
  const erased = { name: '', email: '', userId: '', studentId: '', membershipId: '' }
  const others: string[] = []

  /** Plays a video of `durationSec` through at 2x, a ping every 10 s of clock time, and checks its credit. */
  async function watch(client: TestClient, classId: string, durationSec: number) {
    let credited = false
    for (let position = 0; position <= durationSec; position += 20) {
      const res = await client.post('/api/video-event', { class_id: classId, position, playback_rate: 2 })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      credited = res.body.progress[0].video_completed
      t.clock.advance(10_000)
    }
    expect(credited).toBe(true)
  }

  /** Rows of the read models, in a stable order, without write times; `keep` chooses the students. */
  async function readModels(keep: (studentId: string) => boolean) {
    const models: Record<string, string[]> = {}
    for (const table of REBUILT_READ_MODELS) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
        t.database.db,
      )
      models[table] = rows
        .filter((row) => keep(String(row.student_id)))
        .map((row) =>
          JSON.stringify(
            Object.entries(row)
              .filter(([k]) => k !== writeTimes[table])
              .map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]),
          ),
        )
        .sort()
    }
    return models
  }

  /** What the school's reports count. */
  async function schoolCounts() {
    const overview = (await owner.get('/api/admin/overview')).body
    const analytics = (await owner.get(`/api/courses/${courseId}/analytics`)).body
    return {
      active: overview.active_students,
      enrolments: overview.enrolments,
      course: { enrolled: analytics.enrolled, completed: analytics.completed, funnel: analytics.funnel },
    }
  }

  /** Every row of every table holding one of the needles, ignoring case: `table.column: value`. */
  async function traces(needles: string[]) {
    const schema =
      dialect === 'postgres'
        ? (await sql<{ name: string }>`select current_schema() as name`.execute(t.database.db)).rows[0]?.name
        : undefined
    const tables = (await t.database.db.introspection.getTables()).filter(
      (table) => !table.isView && (schema === undefined || table.schema === schema),
    )
    const found: string[] = []
    for (const table of tables) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(
        t.database.db,
      )
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          const text = String(value instanceof Date ? value.toISOString() : value).toLowerCase()
          for (const needle of needles) {
            if (text.includes(needle.toLowerCase()))
              found.push(`${table.name}.${column} holds ${needle}: ${text.slice(0, 120)}`)
          }
        }
      }
    }
    return found
  }

  beforeAll(async () => {
    t = await startTestApp(dialect)
    t.clock.set(new Date(START - DAY).toISOString())
    orgId = (await createOrg(t)).id
    owner = (await signedInMember(t, orgId, 'owner')).client
    const author = (await signedInMember(t, orgId, 'instructor')).client

    erased.name = 'Zoé Effacée'
    erased.email = `zoe.effacee-${Date.now().toString(36)}@example.org`
    const { member } = await addMember(
      t.identity,
      orgId,
      'cli',
      { email: erased.email, name: erased.name, role: 'student', password: PASSWORD },
      { passwordCheck: false },
    )
    erased.userId = member.user_id
    erased.studentId = (await profilesOfUser(t.identity, orgId, member.user_id)).studentId as string
    erased.membershipId = (
      await t.database.db
        .selectFrom('memberships')
        .select('id')
        .where('user_id', '=', erased.userId)
        .executeTakeFirstOrThrow()
    ).id
    await createApiToken(t.identity, orgId, erased.userId, { name: 'Zoé scripts' })
    const students = [{ id: erased.studentId, email: erased.email, name: erased.name }]
    for (let s = 0; s < 3; s++) {
      const other = await createStudent(t, orgId)
      others.push(other.studentId)
      students.push({ id: other.studentId, email: other.email, name: `Test student ${s}` })
    }

    const quiz = {
      name: 'Check',
      step_type: 'quiz',
      quiz: {
        questions: [
          completeSteps.quiz.quiz.questions[0],
          {
            id: 'q2',
            type: 'short_text',
            prompt: 'Why is Mars red?',
            answer: ['iron'],
            skills: ['planètes'],
          },
        ],
      },
    }
    const course = await author.post('/api/lms/courses', {
      name: 'Astronomie',
      student_ids: students.map((s) => s.id),
    })
    courseId = course.body.id
    const steps: string[] = []
    for (const body of [
      { ...completeSteps.video, video: { source: 'url', url: 'https://v.example/a.mp4', duration_sec: 40 } },
      quiz,
      completeSteps.reading,
    ]) {
      const res = await author.post('/api/lms/classes', { course_id: courseId, ...body })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      steps.push(res.body.id)
    }
    expect((await author.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
    const team = await owner.post('/api/teams', { name: 'Seconde B', student_ids: students.map((s) => s.id) })
    expect(team.status, JSON.stringify(team.body)).toBe(201)

    for (const [s, student] of students.entries()) {
      const client = await signIn(t, student.email)
      t.clock.set(new Date(START + s * 600_000).toISOString())
      await watch(client, steps[0] as string, 40)
      // A wrong first try with a free-text answer that names its writer, then a right one the next day.
      const wrong = await client.post('/api/quiz-submission', {
        class_id: steps[1],
        answers: { q1: 'b', q2: `Moi, ${student.name}, je pense que c'est la rouille` },
      })
      expect(wrong.status, JSON.stringify(wrong.body)).toBe(200)
      if (s === 3) continue // one student stops there
      t.clock.set(new Date(START + DAY + s * 600_000).toISOString())
      const right = await client.post('/api/quiz-submission', {
        class_id: steps[1],
        answers: { q1: 'a', q2: 'Iron' },
      })
      expect(right.status, JSON.stringify(right.body)).toBe(200)
      expect((await client.post('/api/step-ack', { class_id: steps[2] })).status).toBe(200)
    }
    for (const day of [0, 1]) {
      const at = new Date(START + (day + 1) * DAY - 8 * 3_600_000 + 300_000).toISOString()
      t.clock.set(at)
      const runs = await runJobByHand(
        { db: t.database.db, clock: t.clock, logger: silent, registry: t.jobs },
        t.jobs.find('gamification.close-streak-day') as ScheduledJob,
        new Date(at),
        orgId,
      )
      expect(runs.map((r) => r.result.error)).toEqual([null])
    }
    await t.project()
    // An access request the school answered: the audit log names her.
    const exported = await owner.get(`/api/members/${erased.userId}/data`)
    expect(exported.status, JSON.stringify(exported.body)).toBe(200)
  }, 120_000)
  afterAll(() => t.close())

  it('lived a story that leaves her name, e-mail and ids across the tables, answers included', async () => {
    const found = await traces([
      erased.name,
      erased.email,
      erased.userId,
      erased.studentId,
      erased.membershipId,
    ])
    const tables = new Set(found.map((f) => f.split('.')[0]))
    for (const table of [
      'users',
      'memberships',
      'lms_student',
      'api_tokens',
      'course_students',
      'team_members',
      'lms_event',
      'lms_signal',
      'v_user_progress',
      'xp_ledger',
      'gamification_award',
      'gamification_score',
      'v_streak_history',
      'v_course_mastery',
      'integration_outbox',
      'audit_log',
    ]) {
      expect(tables, table).toContain(table)
    }
    expect(found.some((f) => f.startsWith(`lms_event.payload_json holds ${erased.name}`))).toBe(true)
  })

  it('erases her everywhere, keeps the others and the counts, and a rebuild agrees', async () => {
    const othersBefore = await readModels((id) => others.includes(id))
    const countsBefore = await schoolCounts()

    const res = await owner.post(`/api/members/${erased.userId}/erase`, {
      confirm_email: erased.email.toUpperCase(),
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toEqual({ account_deleted: true })

    expect(
      await traces([erased.name, erased.email, erased.userId, erased.studentId, erased.membershipId]),
    ).toEqual([])
    // Her learning history stays, under a new id, without what she wrote.
    const pseudonym = (
      await t.database.db
        .selectFrom('course_students')
        .select('student_id')
        .where('course_id', '=', courseId)
        .where('student_id', 'not in', others)
        .executeTakeFirstOrThrow()
    ).student_id
    const submissions = await t.database.db
      .selectFrom('lms_event')
      .select('payload_json')
      .where('student_id', '=', pseudonym)
      .where('type', '=', 'QUIZ_SUBMIT')
      .execute()
    expect(submissions.map((e) => JSON.parse(e.payload_json).answers)).toEqual([{}, {}])
    expect(submissions.map((e) => JSON.parse(e.payload_json).passed)).toEqual([false, true])

    expect(await readModels((id) => others.includes(id))).toEqual(othersBefore)
    // Staff pages still answer, with a student who has no name.
    for (const path of [
      '/api/leaderboard',
      '/api/admin/overview',
      `/api/courses/${courseId}/analytics`,
      `/api/courses/${courseId}/results.csv`,
      `/api/courses/${courseId}/students/${pseudonym}`,
      '/api/monitoring/activity',
      '/api/members',
      '/api/teams',
    ]) {
      const page = await owner.get(path)
      expect(page.status, `${path}: ${JSON.stringify(page.body).slice(0, 200)}`).toBe(200)
    }
    expect(await schoolCounts()).toEqual(countsBefore)

    const everything = await readModels(() => true)
    expect(everything.v_user_progress?.some((row) => row.includes(pseudonym))).toBe(true)
    for (const projector of t.projectors) {
      const run = await rebuildProjection(t.database.db, trackingEvents, projector, t.clock)
      expect(run.failed, projector.name).toBeNull()
    }
    expect(await readModels(() => true)).toEqual(everything)
    expect(await schoolCounts()).toEqual(countsBefore)
  })
})
