import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { insertStudents, testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, createStudent, signedInMember, signIn } from '../../../test/helpers/factories.ts'
import { localWeek } from '../../core/calendar.ts'
import * as repo from './repository/index.ts'

type Row = {
  rank: number
  student_id: string
  name: string | null
  total_points: number
  badges_count: number
}

/** Competition ranks (1, 1, 3) of rows already in leaderboard order. */
function ranked<T extends { total_points: number }>(rows: T[]) {
  return rows.map((row, i) => ({
    ...row,
    rank: 1 + rows.filter((other) => other.total_points > row.total_points).length,
    position: i,
  }))
}

describe.each(testDialects())('leaderboards on %s', (dialect) => {
  let t: TestApp
  let n = 0

  beforeAll(async () => {
    t = await startTestApp(dialect)
  })
  afterAll(() => t.close())

  /** XP for a school in Europe/Paris (what createOrg gives). */
  function xp(orgId: string, studentId: string, points: number, at: string): repo.WeeklyXpEntry {
    n += 1
    return {
      week: localWeek(at, 'Europe/Paris'),
      id: `video_completed:lb-${n}`,
      org_id: orgId,
      student_id: studentId,
      cause: 'video_completed',
      subject_id: `lb-${n}`,
      points,
      occurred_at: at,
    }
  }

  const addXp = (entries: repo.WeeklyXpEntry[]) =>
    repo.addXp(t.database.db, entries, t.clock.now().toISOString())

  /** The maintained weekly scores and histograms hold what counting the ledger and the scores gives. */
  async function expectBoardsMatchLedger(orgId: string) {
    const db = t.database.db
    const weekSums = await db
      .selectFrom('xp_ledger')
      .select(['week', 'student_id', (eb) => eb.fn.sum<number | string>('points').as('total')])
      .where('org_id', '=', orgId)
      .groupBy(['week', 'student_id'])
      .execute()
    const weekScores = await db
      .selectFrom('gamification_week_score')
      .select(['week', 'student_id', 'total_points'])
      .where('org_id', '=', orgId)
      .execute()
    expect(new Map(weekScores.map((w) => [`${w.week} ${w.student_id}`, w.total_points]))).toEqual(
      new Map(weekSums.map((w) => [`${w.week} ${w.student_id}`, Number(w.total)])),
    )
    const counted = new Map<string, number>()
    const count = (key: string) => counted.set(key, (counted.get(key) ?? 0) + 1)
    const scores = await db
      .selectFrom('gamification_score')
      .select('total_points')
      .where('org_id', '=', orgId)
      .execute()
    for (const score of scores) count(`all ${score.total_points}`)
    for (const score of weekScores) count(`${score.week} ${score.total_points}`)
    const histogram = await db
      .selectFrom('gamification_score_histogram')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('students', '>', 0)
      .execute()
    expect(new Map(histogram.map((h) => [`${h.board} ${h.total_points}`, Number(h.students)]))).toEqual(
      counted,
    )
  }

  it('ranks 2,000 students with shared ranks, pages through them, and matches the XP ledger', async () => {
    const orgId = (await createOrg(t)).id
    const at = '2026-11-20T10:00:00.000Z'
    const students = Array.from({ length: 2000 }, (_, k) => ({
      id: `lb-student-${String(k).padStart(4, '0')}`,
      name: `Élève ${k}`,
      // 500 different totals, 4 students each: plenty of ties.
      points: (((k * 7919) % 500) + 1) * 10,
    }))
    await insertStudents(t.database.db, orgId, students)
    // Two ledger entries each (10 and the rest, the rest a week earlier for odd students), one of them
    // written twice: scores count it once.
    const earlier = '2026-11-12T10:00:00.000Z'
    const entries = students.flatMap((s, k) => [
      xp(orgId, s.id, 10, at),
      ...(s.points > 10 ? [xp(orgId, s.id, s.points - 10, k % 2 ? earlier : at)] : []),
    ])
    await addXp(entries)
    await addXp(entries.slice(0, 300))
    // Badges for the first 10 students, through the awards the badges reactor writes.
    await repo.ensureDefaultBadges(t.database.db, orgId, at, 'fr')
    await repo.addAwards(
      t.database.db,
      students.slice(0, 10).map((s) => ({
        id: `${orgId}:first_video:${s.id}`,
        org_id: orgId,
        badge_id: `${orgId}:first_video`,
        student_id: s.id,
        awarded_at: at,
        source_signal_id: null,
        points: 0,
      })),
    )

    const expected = ranked(
      [...students]
        .sort((a, b) => b.points - a.points || (a.id < b.id ? -1 : 1))
        .map((s) => ({
          student_id: s.id,
          name: s.name,
          total_points: s.points,
          badges_count: students.indexOf(s) < 10 ? 1 : 0,
        })),
    ).map(({ position: _, ...row }) => row)
    expect(expected.slice(0, 5).map((r) => r.rank)).toEqual([1, 1, 1, 1, 5])

    await expectBoardsMatchLedger(orgId)

    const admin = (await signedInMember(t, orgId, 'admin')).client
    const page = async (query: string) => {
      const res = await admin.get(`/api/leaderboard?${query}`)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      return res.body as { total: number; rows: Row[]; me: Row | null; next_after: string | null }
    }
    /** Every row of a board, page after page through `next_after`. */
    const walk = async (query: string) => {
      const rows: Row[] = []
      for (let after: string | null = ''; after !== null; ) {
        const body = await page(`${query}&limit=150${after ? `&after=${encodeURIComponent(after)}` : ''}`)
        rows.push(...body.rows)
        after = body.next_after
      }
      return rows
    }
    const first = await page('')
    expect(first).toMatchObject({ total: 2000, me: null })
    expect(first.rows).toEqual(expected.slice(0, 50))
    // A page that starts inside a group of ties keeps the group's rank.
    expect((await page('limit=7&offset=49')).rows).toEqual(expected.slice(49, 56))
    expect((await page('limit=200&offset=1000')).rows).toEqual(expected.slice(1000, 1200))
    const last = await page('limit=200&offset=1990')
    expect(last.rows).toEqual(expected.slice(1990))
    expect(last.rows.at(-1)?.rank).toBe(1997)
    expect((await page('offset=5000')).rows).toEqual([])
    const everyone: Row[] = []
    for (let offset = 0; offset < 2000; offset += 200)
      everyone.push(...(await page(`limit=200&offset=${offset}`)).rows)
    expect(everyone).toEqual(expected)
    expect(await walk('period=all')).toEqual(expected)

    // This week (from Monday 2026-11-16 in Paris) counts the even students' whole total, the odd ones' 10.
    t.clock.set('2026-11-20T12:00:00.000Z')
    const expectedWeek = ranked(
      students
        .map((s, k) => ({ ...s, points: k % 2 ? 10 : s.points }))
        .sort((a, b) => b.points - a.points || (a.id < b.id ? -1 : 1))
        .map((s) => ({
          student_id: s.id,
          name: s.name,
          total_points: s.points,
          badges_count: students.findIndex((other) => other.id === s.id) < 10 ? 1 : 0,
        })),
    ).map(({ position: _, ...row }) => row)
    const week = await page('period=week&limit=200&offset=1000')
    expect(week.total).toBe(2000)
    expect(week.rows).toEqual(expectedWeek.slice(1000, 1200))
    // 1,000 odd students tie on 10 XP: the deep page starts inside their group.
    expect((await page('period=week&limit=30&offset=1480')).rows).toEqual(expectedWeek.slice(1480, 1510))
    expect(await walk('period=week')).toEqual(expectedWeek)

    // The maintained scores are exactly the ledger's sums (the v_leaderboard query, computed the slow way).
    const sums = await t.database.db
      .selectFrom('xp_ledger')
      .select(['student_id', (eb) => eb.fn.sum<number | string>('points').as('total')])
      .where('org_id', '=', orgId)
      .groupBy('student_id')
      .execute()
    const scores = await repo.scoresOf(
      t.database.db,
      orgId,
      students.map((s) => s.id),
    )
    expect(new Map(scores.map((s) => [s.student_id, s.total_points]))).toEqual(
      new Map(sums.map((s) => [s.student_id, Number(s.total)])),
    )

    // v_leaderboard, for direct SQL, ranks the same way.
    const view = await sql<Row>`SELECT rank, student_id, display_name AS name, total_points, badges_count
      FROM v_leaderboard WHERE org_id = ${orgId} ORDER BY rank, student_id`.execute(t.database.db)
    expect(
      view.rows.map((r) => ({
        ...r,
        rank: Number(r.rank),
        total_points: Number(r.total_points),
        badges_count: Number(r.badges_count),
      })),
    ).toEqual(expected)

    for (const bad of [
      'limit=0',
      'limit=201',
      'offset=-1',
      'period=month',
      'after=abc',
      'after=10:x&offset=5',
    ]) {
      const res = await admin.get(`/api/leaderboard?${bad}`)
      expect(res.status, bad).toBe(400)
    }
  })

  describe('a class', () => {
    let orgId: string
    let admin: TestClient
    const people: Record<'ana' | 'ben' | 'cleo' | 'dan', { studentId: string; email: string }> = {} as never

    beforeAll(async () => {
      orgId = (await createOrg(t)).id // Europe/Paris
      admin = (await signedInMember(t, orgId, 'admin')).client
      for (const name of ['ana', 'ben', 'cleo', 'dan'] as const) people[name] = await createStudent(t, orgId)
      const { ana, ben, cleo, dan } = people
      await addXp([
        // Sunday 23:30 in Paris: the week before the week of Wednesday 2026-11-25.
        xp(orgId, ana.studentId, 100, '2026-11-22T22:30:00.000Z'),
        // Monday 00:30 in Paris.
        xp(orgId, ana.studentId, 20, '2026-11-22T23:30:00.000Z'),
        xp(orgId, ben.studentId, 20, '2026-11-23T08:00:00.000Z'),
        xp(orgId, cleo.studentId, 50, '2026-11-24T08:00:00.000Z'),
        xp(orgId, dan.studentId, 500, '2026-11-10T08:00:00.000Z'),
      ])
      t.clock.set('2026-11-25T10:00:00.000Z')
      await expectBoardsMatchLedger(orgId)
    })

    const ids = (rows: Row[]) =>
      rows.map((r) => [
        Object.entries(people).find(([, p]) => p.studentId === r.student_id)?.[0],
        r.total_points,
        r.rank,
      ])

    /** Students who tie are listed by student id. */
    const tied = (...names: (keyof typeof people)[]) =>
      names.sort((a, b) => (people[a].studentId < people[b].studentId ? -1 : 1))

    it("counts this week's XP from Monday 00:00 in the school's time zone", async () => {
      const week = await admin.get('/api/leaderboard?period=week')
      expect(week.body).toMatchObject({ period: 'week', since: '2026-11-22T23:00:00.000Z', total: 3 })
      expect(ids(week.body.rows)).toEqual([
        ['cleo', 50, 1],
        ...tied('ana', 'ben').map((name) => [name, 20, 2]),
      ])
      expect(week.body.rows[0]).toMatchObject({ name: 'Test student', badges_count: 0 })
      const all = await admin.get('/api/leaderboard?period=all')
      expect(ids(all.body.rows)).toEqual([
        ['dan', 500, 1],
        ['ana', 120, 2],
        ['cleo', 50, 3],
        ['ben', 20, 4],
      ])
    })

    it('gives a student their own row, even off the page or with nothing this week', async () => {
      const ben = await signIn(t, people.ben.email)
      const all = await ben.get('/api/leaderboard?limit=1')
      expect(ids(all.body.rows)).toEqual([['dan', 500, 1]])
      expect(all.body.me).toMatchObject({ student_id: people.ben.studentId, total_points: 20, rank: 4 })
      const dan = await signIn(t, people.dan.email)
      const week = await dan.get('/api/leaderboard?period=week')
      expect(week.body.me).toMatchObject({ student_id: people.dan.studentId, total_points: 0, rank: 4 })
      const newcomer = await createStudent(t, orgId)
      const fresh = await (await signIn(t, newcomer.email)).get('/api/leaderboard')
      expect(fresh.body.me).toMatchObject({ total_points: 0, rank: 5, badges_count: 0 })
      expect(fresh.body.total).toBe(4)
    })

    it('ranks a team on its own, and only a team of the school', async () => {
      const team = await admin.post('/api/teams', {
        name: 'Groupe A',
        student_ids: [people.ana.studentId, people.ben.studentId],
      })
      expect(team.status).toBe(201)
      const all = await admin.get(`/api/leaderboard?teamId=${team.body.id}`)
      expect(all.body).toMatchObject({ team_id: team.body.id, total: 2 })
      expect(ids(all.body.rows)).toEqual([
        ['ana', 120, 1],
        ['ben', 20, 2],
      ])
      const top = await admin.get(`/api/leaderboard?teamId=${team.body.id}&limit=1`)
      expect(ids(top.body.rows)).toEqual([['ana', 120, 1]])
      const next = await admin.get(
        `/api/leaderboard?teamId=${team.body.id}&limit=1&after=${top.body.next_after}`,
      )
      expect(ids(next.body.rows)).toEqual([['ben', 20, 2]])
      const week = await admin.get(`/api/leaderboard?teamId=${team.body.id}&period=week`)
      expect(ids(week.body.rows)).toEqual(tied('ana', 'ben').map((name) => [name, 20, 1]))
      // A student outside the team sees it, without a row of their own in it.
      const cleo = await signIn(t, people.cleo.email)
      const seen = await cleo.get(`/api/leaderboard?teamId=${team.body.id}`)
      expect(seen.status).toBe(200)
      expect(seen.body.me).toBeNull()
      expect((await admin.get('/api/leaderboard?teamId=no-such-team')).status).toBe(404)

      const other = await createOrg(t)
      const stranger = (await signedInMember(t, other.id, 'student')).client
      expect((await stranger.get(`/api/leaderboard?teamId=${team.body.id}`)).status).toBe(404)
    })

    it('shows each school only its own students, and nobody outside', async () => {
      const other = await createOrg(t)
      const student = await createStudent(t, other.id)
      await addXp([xp(other.id, student.studentId, 5, '2026-11-24T08:00:00.000Z')])
      const res = await (await signIn(t, student.email)).get('/api/leaderboard')
      expect(res.body.total).toBe(1)
      expect(res.body.rows.map((r: Row) => r.student_id)).toEqual([student.studentId])
      expect(res.body.me).toMatchObject({ rank: 1, total_points: 5 })
      expect((await t.client().get('/api/leaderboard')).status).toBe(401)
    })
  })
})
