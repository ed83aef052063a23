import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import {
  completeSteps,
  createOrg,
  createStudent,
  signedInMember,
  signIn,
} from '../../../test/helpers/factories.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { userProgressProjector } from '../progress/index.ts'
import { trackingEvents } from '../tracking/index.ts'

// One published path (reading, quiz, reading) and five students, read on 2026-12-20 at noon:
// `reader` passed the quiz on 12-18 and read the conclusion 5 minutes later; `slow` passed it on 12-18 and
// acknowledged the conclusion two days later; `current` failed the quiz yesterday; `gone` failed it on
// 11-25 and came back no more; `fresh` is enrolled and never started.
describe.each(testDialects())('course reports on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let author: Awaited<ReturnType<typeof signedInMember>>
  let courseId: string
  let steps: { read: string; quiz: string; last: string }
  const ids: Record<string, string> = {}
  const clients: Record<string, TestClient> = {}
  const now = '2026-12-20T12:00:00.000Z'

  const act = async (instant: string, who: string, action: 'read' | 'pass' | 'fail' | 'last') => {
    t.clock.set(instant)
    const client = clients[who] as TestClient
    const res =
      action === 'read' || action === 'last'
        ? await client.post('/api/step-ack', { class_id: action === 'read' ? steps.read : steps.last })
        : await client.post('/api/quiz-submission', {
            class_id: steps.quiz,
            answers: { q1: action === 'pass' ? 'a' : 'b' },
          })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
  }
  const entryOf = (body: { students: { entries: { student_id: string }[] } }, who: string) =>
    body.students.entries.find((e) => e.student_id === ids[who]) as Record<string, unknown>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    t.clock.set('2026-11-20T09:00:00.000Z')
    orgId = (await createOrg(t)).id
    author = await signedInMember(t, orgId, 'instructor')
    for (const name of ['reader', 'slow', 'current', 'gone', 'fresh']) {
      const student = await createStudent(t, orgId)
      ids[name] = student.studentId
      clients[name] = await signIn(t, student.email)
    }
    const owner = (await signedInMember(t, orgId, 'owner')).client
    const rename = async (who: string, name: string) =>
      expect((await owner.patch(`/api/lms/students/${ids[who]}`, { name })).status).toBe(200)
    await rename('reader', 'Dupont, Marie')
    await rename('slow', 'Léa "Lou" Martin')
    await rename('gone', 'Zoé Bernard')
    await rename('fresh', 'Yann Petit')
    await rename('current', 'Ali Ben Salah')
    const team = await owner.post('/api/teams', { name: 'Seconde B', student_ids: [ids.reader] })
    expect(team.status, JSON.stringify(team.body)).toBe(201)
    courseId = (
      await author.client.post('/api/lms/courses', { name: 'Optique', student_ids: Object.values(ids) })
    ).body.id
    const add = async (step: object) =>
      (await author.client.post('/api/lms/classes', { course_id: courseId, ...step })).body.id as string
    steps = {
      read: await add(completeSteps.reading),
      quiz: await add(completeSteps.quiz),
      last: await add({ ...completeSteps.reading, name: 'Conclusion' }),
    }
    expect((await author.client.post(`/api/courses/${courseId}/publish`)).status).toBe(200)

    await act('2026-11-25T08:00:00.000Z', 'gone', 'read')
    await act('2026-11-25T08:20:00.000Z', 'gone', 'fail')
    await act('2026-12-18T09:00:00.000Z', 'reader', 'read')
    await act('2026-12-18T09:10:00.000Z', 'reader', 'pass')
    await act('2026-12-18T09:15:00.000Z', 'reader', 'last')
    await act('2026-12-18T09:00:00.000Z', 'slow', 'read')
    await act('2026-12-18T09:30:00.000Z', 'slow', 'pass')
    await act('2026-12-20T11:00:00.000Z', 'slow', 'last')
    await act('2026-12-19T10:00:00.000Z', 'current', 'read')
    await act('2026-12-19T10:30:00.000Z', 'current', 'fail')
    t.clock.set(now)
  })
  afterAll(() => t.close())

  describe('abandonment', () => {
    it('counts a student on a step who was active recently as in progress, not as abandoned', async () => {
      const { body } = await author.client.get(`/api/courses/${courseId}/analytics`)
      expect(body.funnel[1]).toMatchObject({
        reached: 4,
        completed: 2,
        in_progress: 1,
        abandoned: 1,
        abandoned_ratio: 0.25,
      })
      expect(entryOf(body, 'current')).toMatchObject({ status: 'in_progress' })
      expect(body.abandoned_days).toBe(14)
      expect(body.abandoned).toBe(1)
      expect(entryOf(body, 'gone')).toMatchObject({ status: 'abandoned' })
      expect(entryOf(body, 'fresh')).toMatchObject({ status: 'not_started' })
      expect(entryOf(body, 'reader')).toMatchObject({ status: 'completed' })
    })

    it('abandons only after the configured days without activity', async () => {
      // `gone` was last active 25 days ago.
      const patient = (await author.client.get(`/api/courses/${courseId}/analytics?abandoned_days=26`)).body
      expect(patient.funnel[1]).toMatchObject({ in_progress: 2, abandoned: 0 })
      expect(entryOf(patient, 'gone')).toMatchObject({ status: 'in_progress' })
      const strict = (await author.client.get(`/api/courses/${courseId}/analytics?abandoned_days=25`)).body
      expect(entryOf(strict, 'gone')).toMatchObject({ status: 'abandoned' })
    })

    it("follows the school's setting in every report, which one view may override", async () => {
      const admin = await signedInMember(t, orgId, 'admin')
      const setting = (abandoned_days: number) => admin.client.patch('/api/organisation', { abandoned_days })
      expect((await setting(26)).status).toBe(200)
      try {
        // `gone` was last active 25 days ago: not yet abandoned by the school's 26 days.
        const patient = (await author.client.get(`/api/courses/${courseId}/analytics`)).body
        expect(patient.abandoned_days).toBe(26)
        expect(patient.abandoned).toBe(0)
        expect(entryOf(patient, 'gone')).toMatchObject({ status: 'in_progress' })
        const student = (await author.client.get(`/api/courses/${courseId}/students/${ids.gone}`)).body
        expect(student).toMatchObject({ abandoned_days: 26, status: 'in_progress' })
        const csv = (await author.client.get(`/api/courses/${courseId}/results.csv?lang=en`)).body as string
        const gone = (parse(csv, { bom: true }) as string[][]).find((row) => row[0] === 'Zoé Bernard')
        expect(gone?.[3]).toBe('In progress')

        // One view asks for fewer days; the setting stays as it is.
        const strict = (await author.client.get(`/api/courses/${courseId}/analytics?abandoned_days=20`)).body
        expect(strict.abandoned_days).toBe(20)
        expect(entryOf(strict, 'gone')).toMatchObject({ status: 'abandoned' })
        const overridden = `/api/courses/${courseId}/students/${ids.gone}?abandoned_days=20`
        expect((await author.client.get(overridden)).body.status).toBe('abandoned')
        expect((await admin.client.get('/api/organisation')).body.abandoned_days).toBe(26)

        // A stricter school counts more students out.
        expect((await setting(1)).status).toBe(200)
        const strictSchool = (await author.client.get(`/api/courses/${courseId}/analytics`)).body
        expect(entryOf(strictSchool, 'current')).toMatchObject({ status: 'abandoned' })
        expect(strictSchool.abandoned).toBe(2)
      } finally {
        expect((await setting(14)).status).toBe(200)
      }
    })
  })

  describe('time on steps', () => {
    it('measures a reading step from the completion of the step before to its acknowledgement, capped at an hour', async () => {
      const { body } = await author.client.get(`/api/courses/${courseId}/analytics`)
      // reader: quiz passed 09:10, conclusion read 09:15 (300 s); slow: passed on 12-18 09:30, read two
      // days later (capped at 3600 s).
      expect(body.funnel[2].average_time_sec).toBe(1950)
      // The first step has no earlier event than its acknowledgement: unknown, not 0.
      expect(body.funnel[0].average_time_sec).toBeNull()
      // reader 10 min on the quiz; slow 30 min; gone never passed it.
      expect(body.funnel[1].average_time_sec).toBe(1200)
      expect(entryOf(body, 'reader')).toMatchObject({ time_spent_sec: 900 })
      expect(entryOf(body, 'slow')).toMatchObject({ time_spent_sec: 1800 + 3600 })
    })

    it('gives the same times after the projections are rebuilt from the events', async () => {
      const before = (await author.client.get(`/api/courses/${courseId}/analytics`)).body
      const run = await rebuildProjection(t.database.db, trackingEvents, userProgressProjector, t.clock)
      expect(run.failed).toBeNull()
      const after = (await author.client.get(`/api/courses/${courseId}/analytics`)).body
      expect(after.funnel).toEqual(before.funnel)
      expect(after.students).toEqual(before.students)
    })
  })

  describe("a student's page", () => {
    const page = (client: TestClient, who: string, id = courseId) =>
      client.get(`/api/courses/${id}/students/${ids[who] ?? who}`)

    it('shows the path step by step, every quiz attempt, time, mastery and last activity', async () => {
      const res = await page(author.client, 'gone')
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      const body = res.body
      expect(body).toMatchObject({
        course: { id: courseId, name: 'Optique', status: 'published', step_count: 3 },
        student: { id: ids.gone, name: 'Zoé Bernard' },
        teams: [],
        status: 'abandoned',
        completed_steps: 1,
        progress_ratio: 0.33,
        last_event_at: '2026-11-25T08:20:00.000Z',
      })
      expect(body.student.email).toMatch(/@example\.org$/)
      expect(body.steps.map((s: { state: string }) => s.state)).toEqual(['done', 'current', 'locked'])
      expect(body.steps[1]).toMatchObject({
        opened_at: '2026-11-25T08:00:00.000Z',
        completed_at: null,
        time_sec: null,
        quiz: { attempts: 1, best_ratio: 0, passed: false },
      })
      expect(body.steps[2]).toMatchObject({ opened_at: null, completed_at: null })
      expect(body.attempts).toEqual([
        {
          class_id: steps.quiz,
          step_index: 1,
          attempt: 1,
          at: '2026-11-25T08:20:00.000Z',
          score: 0,
          max_score: 1,
          ratio: 0,
          passed: false,
        },
      ])
      expect(body.mastery.course).toMatchObject({ score: 0, level: 'attempted', questions: 1 })
      expect(body.at_risk.map((r: { code: string }) => r.code)).toContain('inactive')

      const reader = (await page(author.client, 'reader')).body
      expect(reader.teams).toEqual([expect.objectContaining({ name: 'Seconde B' })])
      expect(reader.steps[2]).toMatchObject({
        state: 'done',
        opened_at: '2026-12-18T09:10:00.000Z',
        completed_at: '2026-12-18T09:15:00.000Z',
        time_sec: 300,
      })
    })

    it("is for the course's instructors and the school's admins, never students; 404 for a student not enrolled", async () => {
      expect((await page((await signedInMember(t, orgId, 'admin')).client, 'gone')).status).toBe(200)
      const other = await page((await signedInMember(t, orgId, 'instructor')).client, 'gone')
      expect(other.status).toBe(403)
      expect(other.body.error.code).toBe('not_assigned')
      expect((await page(clients.gone as TestClient, 'gone')).status).toBe(403)
      expect((await page((await signedInMember(t, orgId, 'support')).client, 'gone')).status).toBe(403)
      const outsider = await createStudent(t, orgId)
      const missing = await page(author.client, outsider.studentId)
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('not_found')
      const foreign = await page((await signedInMember(t, (await createOrg(t)).id, 'owner')).client, 'gone')
      expect(foreign.status).toBe(404)
    })
  })

  describe('results as CSV', () => {
    const csv = (client: TestClient, query = '') => client.get(`/api/courses/${courseId}/results.csv${query}`)

    it('has one row per enrolled student, with a BOM for Excel and names with commas and quotes quoted', async () => {
      const res = await csv(author.client, '?lang=en')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
      expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''Optique.csv")
      const text = res.body as string
      expect(text).toContain('\r\n"Dupont, Marie",')
      expect(text).toContain('\r\n"Léa ""Lou"" Martin",')
      const rows = parse(text, { bom: true }) as string[][]
      expect(rows[0]).toEqual([
        'Name',
        'E-mail',
        'Classes',
        'Status',
        'Progress (%)',
        'Current step',
        'Quiz 2. Check (best score %)',
        'Time spent (min)',
        'Course mastery (%)',
        'Last activity',
      ])
      const byName = Object.fromEntries(rows.slice(1).map((r) => [r[0], r]))
      expect(Object.keys(byName)).toHaveLength(5)
      expect(byName['Léa "Lou" Martin']?.slice(3, 8)).toEqual(['Completed', '100', '', '100', '90'])
      expect(byName['Dupont, Marie']).toEqual([
        'Dupont, Marie',
        expect.stringMatching(/@example\.org$/),
        'Seconde B',
        'Completed',
        '100',
        '',
        '100',
        '15',
        '100',
        '2026-12-18T09:15:00.000Z',
      ])
      expect(byName['Zoé Bernard']?.slice(2, 7)).toEqual(['', 'Abandoned', '33', '2. Check', '0'])
      expect(byName['Yann Petit']?.slice(3, 10)).toEqual(['Not started', '0', '1. Read', '', '0', '', ''])
    })

    it('starts with a UTF-8 byte order mark so that Excel reads accents', async () => {
      const cookie = [...author.client.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
      const raw = await fetch(new URL(`/api/courses/${courseId}/results.csv`, author.client.baseUrl), {
        headers: { cookie },
      })
      const bytes = new Uint8Array(await raw.arrayBuffer())
      expect([...bytes.slice(0, 6)]).toEqual([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('Nom')])
    })

    it("speaks the school's language by default and is refused to students and other instructors", async () => {
      const fr = await csv(author.client)
      expect((fr.body as string).split('\r\n')[0]).toBe(
        'Nom,E-mail,Classes,Statut,Progression (%),Étape en cours,Quiz 2. Check (meilleur score %),' +
          'Temps passé (min),Maîtrise du cours (%),Dernière activité',
      )
      expect((await csv(clients.reader as TestClient)).status).toBe(403)
      expect((await csv((await signedInMember(t, orgId, 'instructor')).client)).status).toBe(403)
    })
  })

  // Last: an archived course stays archived.
  describe('abandonment in a closed course', () => {
    it('never counts abandonment in an archived course', async () => {
      expect((await author.client.post(`/api/courses/${courseId}/archive`)).status).toBe(200)
      const { body } = await author.client.get(`/api/courses/${courseId}/analytics`)
      expect(body.abandoned).toBe(0)
      expect(body.funnel[1]).toMatchObject({ in_progress: 2, abandoned: 0 })
    })
  })
})
