import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pino from 'pino'
import * as tar from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { REBUILT_READ_MODELS, testDialects } from '../../../test/helpers/databases.ts'
import {
  completeSteps,
  createMember,
  createOrg,
  createStudent,
  signedInMember,
  signIn,
} from '../../../test/helpers/factories.ts'
import type { SqlDialect } from '../../core/db/database.ts'
import { rebuildProjection } from '../../core/events/projector.ts'
import { runJobByHand } from '../../core/jobs/commands.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import { setSuperadmin } from '../../modules/identity/index.ts'
import { trackingEvents } from '../../modules/tracking/index.ts'
import { runSchoolCommand, SchoolTransferError } from './command.ts'

// A school lives two days on one instance (a course of three steps with a handout file and captions, a
// class, a picture, videos watched, quizzes failed and passed, readings, XP, badges, streaks), its owner
// downloads it, and a platform operator imports it into a second, empty instance on the other database.
// Every member then signs in there with the same password and every page they can read answers the same.

const DAY = 86_400_000
const START = Date.parse('2026-11-16T08:00:00.000Z')
const silent = pino({ level: 'silent' })
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0,
])
const VTT = 'WEBVTT\n\n00:00.000 --> 00:02.000\nBonjour\n'

/**
 * Pages left out of the comparison, and why: what is the instance's rather than the school's (health,
 * the API description, platform pages), and the audit log, which holds the export (written on the old
 * instance after the archive) and, on the new one, nothing of the import (a platform entry). A person's
 * data as HTML shows the same as its JSON, which is compared (see `comparable`).
 */
const notCompared = [
  /^\/api\/health/,
  /^\/api\/openapi/,
  /^\/api\/platform\//,
  /^\/api\/admin\/organisations/,
  /^\/api\/audit/,
  // The mail log stays with the instance that wrote the e-mails (plan.ts leaves mail_outbox behind).
  /^\/api\/admin\/mail-log/,
  /^\/api\/organisations\/\{id\}\/export$/,
  /^\/api\/projections/,
  /\/data\.html$/,
]

/**
 * A response as compared. A person's data (GDPR access) holds raw rows: their sessions, which stay on the
 * old instance; their audit-log actions, among them the export written after the archive; sequence numbers,
 * which the import gives anew; PostgreSQL's bigints as text; and lists in the order each database reads them.
 */
function comparable(body: unknown): string {
  const data = body as {
    modules?: {
      identity?: { sessions?: unknown }
      audit?: unknown
      realtime?: unknown
      notifications?: { emails?: unknown }
    }
  }
  // A reward feed's cursor is a position in the instance's signal log.
  if (!data?.modules?.identity?.sessions)
    return JSON.stringify(body, (key, value) => (key === 'cursor' ? 0 : value))
  // Live events stay with the instance that sent them (plan.ts leaves realtime_events behind).
  const { audit: _audit, realtime: _realtime, ...modules } = data.modules
  // So do the e-mails written to the person (plan.ts leaves mail_outbox behind).
  if (modules.notifications) modules.notifications = { ...modules.notifications, emails: [] }
  const person = { ...data, modules: { ...modules, identity: { ...data.modules.identity, sessions: [] } } }
  const rows = (key: string, value: unknown): unknown => {
    if (/(^|_)seq$/.test(key)) return undefined
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
    if (Array.isArray(value)) return value.map((v) => JSON.stringify(v, rows)).sort()
    return value
  }
  return JSON.stringify(person, rows)
}

/** Times of the writes themselves, which a rebuild sets anew. */
const writeTimes: Record<string, string> = { xp_ledger: 'created_at', mastery_question: 'updated_at' }

async function readModels(app: TestApp, orgId: string) {
  const models: Record<string, string[]> = {}
  for (const table of REBUILT_READ_MODELS) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}
      where org_id = ${orgId}`.execute(app.database.db)
    models[table] = rows
      .map((row) => JSON.stringify(Object.entries(row).filter(([k]) => k !== writeTimes[table])))
      .sort()
  }
  return models
}

function form(
  bytes: Uint8Array<ArrayBuffer> | string,
  type: string,
  name: string,
  fields: Record<string, string> = {},
) {
  const body = new FormData()
  body.set('file', new Blob([bytes], { type }), name)
  for (const [key, value] of Object.entries(fields)) body.set(key, value)
  return body
}

const pairs: [SqlDialect, SqlDialect][] =
  testDialects().length > 1
    ? [
        ['sqlite', 'postgres'],
        ['postgres', 'sqlite'],
      ]
    : [['sqlite', 'sqlite']]

describe.each(pairs)('moving a school from %s to %s', (from, to) => {
  let source: TestApp
  let target: TestApp
  let orgId: string
  let slug: string
  let owner: TestClient
  let dir: string
  let archive: string
  const emails: string[] = []
  const ids: Record<string, string> = {}

  async function watch(client: TestClient, classId: string, durationSec: number) {
    for (let position = 0; position <= durationSec; position += 20) {
      const res = await client.post('/api/video-event', { class_id: classId, position, playback_rate: 2 })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      source.clock.advance(10_000)
    }
  }

  beforeAll(async () => {
    source = await startTestApp(from)
    target = await startTestApp(to)
    dir = mkdtempSync(join(tmpdir(), 'sillon-school-test-'))
    archive = join(dir, 'school.tar.gz')
    source.clock.set(new Date(START - DAY).toISOString())
    const org = await createOrg(source)
    orgId = org.id
    slug = org.slug
    const ownerMember = await signedInMember(source, orgId, 'owner')
    owner = ownerMember.client
    const author = await signedInMember(source, orgId, 'instructor')
    emails.push(ownerMember.email, author.email)
    // Distinct names: lists sorted by name are then in one order on both databases.
    const students = []
    for (const name of ['Alice Martin', 'Bruno Petit', 'Chloé Durand']) {
      const student = await createStudent(source, orgId)
      await source.database.db.updateTable('users').set({ name }).where('id', '=', student.userId).execute()
      await source.database.db
        .updateTable('lms_student')
        .set({ name })
        .where('id', '=', student.studentId)
        .execute()
      students.push(student)
    }
    emails.push(...students.map((s) => s.email))
    ids.studentId = students[0]?.studentId as string
    ids.userId = students[0]?.userId as string

    const course = await author.client.post('/api/lms/courses', {
      name: 'Astronomie',
      student_ids: students.map((s) => s.studentId),
    })
    ids.courseId = course.body.id
    const steps: string[] = []
    for (const body of [
      { ...completeSteps.video, video: { source: 'url', url: 'https://v.example/a.mp4', duration_sec: 40 } },
      completeSteps.quiz,
      completeSteps.reading,
    ]) {
      const res = await author.client.post('/api/lms/classes', { course_id: ids.courseId, ...body })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      steps.push(res.body.id)
    }
    ids.classId = steps[0] as string
    ids.quizId = steps[1] as string
    ids.readingId = steps[2] as string
    const handout = await author.client.post(
      `/api/courses/${ids.courseId}/kms`,
      form(new Uint8Array(2048).fill(0x25), 'application/pdf', 'carte du ciel.pdf', {
        available_in_advance: 'true',
      }),
    )
    expect(handout.status, JSON.stringify(handout.body)).toBe(201)
    ids.resourceId = handout.body.id
    const caption = await author.client.post(
      `/api/lms/classes/${ids.classId}/captions`,
      form(VTT, 'text/vtt', 'fr.vtt', { language: 'fr', label: 'Français' }),
    )
    expect(caption.status, JSON.stringify(caption.body)).toBe(201)
    ids.captionId = caption.body.id
    expect((await author.client.post(`/api/courses/${ids.courseId}/publish`)).status).toBe(200)
    const team = await owner.post('/api/teams', {
      name: 'Seconde B',
      student_ids: students.map((s) => s.studentId),
    })
    expect(team.status, JSON.stringify(team.body)).toBe(201)

    for (const [s, student] of students.entries()) {
      const client = await signIn(source, student.email)
      if (s === 0) {
        expect((await client.post('/api/auth/me/picture', form(PNG, 'image/png', 'me.png'))).status).toBe(200)
        // A message with a file attached: the file travels with the school.
        const conversation = await author.client.post('/api/conversations', { member_id: student.userId })
        const path = `/api/conversations/${conversation.body.id}/attachments`
        const file = await client.post(path, form(PNG, 'image/png', 'schéma.png'))
        expect(file.status, JSON.stringify(file.body)).toBe(201)
        const sent = await client.post(`/api/conversations/${conversation.body.id}/messages`, {
          client_id: 'with-a-file',
          body: 'Mon schéma',
          attachment_ids: [file.body.id],
        })
        expect(sent.status, JSON.stringify(sent.body)).toBe(201)
        ids.attachmentUrl = file.body.url
      }
      source.clock.set(new Date(START + s * 600_000).toISOString())
      await watch(client, steps[0] as string, 40)
      await client.post('/api/quiz-submission', { class_id: steps[1], answers: { q1: 'b' } })
      if (s === 2) continue
      source.clock.set(new Date(START + DAY + s * 600_000).toISOString())
      await client.post('/api/quiz-submission', { class_id: steps[1], answers: { q1: 'a' } })
      expect((await client.post('/api/step-ack', { class_id: steps[2] })).status).toBe(200)
    }
    for (const day of [0, 1]) {
      const at = new Date(START + (day + 1) * DAY - 8 * 3_600_000 + 300_000).toISOString()
      source.clock.set(at)
      await runJobByHand(
        { db: source.database.db, clock: source.clock, logger: silent, registry: source.jobs },
        source.jobs.find('gamification.close-streak-day') as ScheduledJob,
        new Date(at),
        orgId,
      )
    }
    await source.project()
    target.clock.set(source.clock.now().toISOString())
    // The new instance already hosts a school and its activity: the imported logs are numbered after its own.
    const resident = await createOrg(target)
    const residentStudent = await createStudent(target, resident.id)
    const residentAuthor = await signedInMember(target, resident.id, 'instructor')
    const other = await residentAuthor.client.post('/api/lms/courses', {
      name: 'Other',
      student_ids: [residentStudent.studentId],
    })
    const reading = await residentAuthor.client.post('/api/lms/classes', {
      course_id: other.body.id,
      ...completeSteps.reading,
    })
    await residentAuthor.client.post(`/api/courses/${other.body.id}/publish`)
    const residentClient = await signIn(target, residentStudent.email)
    expect((await residentClient.post('/api/step-ack', { class_id: reading.body.id })).status).toBe(200)
    await target.project()
  }, 180_000)

  afterAll(async () => {
    await source?.close()
    await target?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("lets the school's owners download it, and no one else: another school's owner gets 404", async () => {
    const admin = await signedInMember(source, orgId, 'admin')
    expect((await admin.client.get(`/api/organisations/${orgId}/export`)).status).toBe(403)
    const stranger = await signedInMember(source, (await createOrg(source)).id, 'owner')
    const refused = await stranger.client.get(`/api/organisations/${orgId}/export`)
    expect(refused.status).toBe(404)
    expect(refused.body.error.code).toBe('not_found')

    const response = await fetch(new URL(`/api/organisations/${orgId}/export`, source.url), {
      headers: { cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/gzip')
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${slug}.sillon-school.tar.gz"`,
    )
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect(bytes.length).toBe(Number(response.headers.get('content-length')))
    writeFileSync(archive, bytes)
    const audit = await owner.get('/api/audit?action=school.exported')
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(['school.exported'])

    // A platform operator, switched into the school, acts as its owner.
    const operator = await signedInMember(source, (await createOrg(source)).id, 'student')
    await setSuperadmin(source.identity, operator.email, true)
    expect((await operator.client.post('/api/auth/organisation', { org_id: orgId })).status).toBe(200)
    expect((await operator.client.get(`/api/organisations/${orgId}/export`)).status).toBe(200)
  })

  it('imports into another instance, ids kept, and every member sees the same pages there', async () => {
    const said: string[] = []
    await runSchoolCommand(target, { command: 'import', file: archive }, (line) => said.push(line))
    expect(said.join('\n')).toContain(`${slug} (School ${slug}) imported`)
    const moved = await target.database.db
      .selectFrom('organisations')
      .select(['id', 'slug'])
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow()
    expect(moved.id).toBe(orgId)

    const doc = (await source.client().get('/api/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>
    }
    const paths = Object.entries(doc.paths)
      .filter(([path, operations]) => 'get' in operations && !notCompared.some((re) => re.test(path)))
      .map(([path]) => path)
    const fill = (path: string) =>
      path
        .replace(/^\/api\/lms\/classes\/\{id\}/, `/api/lms/classes/${ids.classId}`)
        .replace(/\{(id|course_id)\}/g, ids.courseId as string)
        .replace(/\{(studentId|student_id)\}/g, ids.studentId as string)
        .replace(/\{(userId|user_id)\}/g, ids.userId as string)
        .replace('{resource_id}', ids.resourceId as string)
        .replace('{caption_id}', ids.captionId as string)
        .replace(/\{[^}]+\}/g, 'none')
    target.clock.set(source.clock.now().toISOString())
    let compared = 0
    for (const email of emails) {
      const before = await signIn(source, email)
      const after = await signIn(target, email)
      for (const path of paths) {
        const url = fill(path)
        const [a, b] = [await before.get(url), await after.get(url)]
        expect({ url, email, status: b.status }).toEqual({ url, email, status: a.status })
        expect(comparable(b.body).replaceAll(target.url, source.url), `${email} GET ${url}`).toEqual(
          comparable(a.body),
        )
        if (a.status === 200) compared++
      }
      // The picture, in the file store of the new instance.
      const me = (await after.get('/api/auth/me')).body
      if (me.user?.image) expect((await after.get(me.user.image)).status).toBe(200)
    }
    expect(compared).toBeGreaterThan(40)
    // The file attached to a message, in the file store of the new instance, for the student who sent it.
    const sender = await signIn(target, emails[2] as string)
    const attached = await sender.get(ids.attachmentUrl as string)
    expect(attached.status).toBe(200)
    expect(attached.body).toBe(
      (await (await signIn(source, emails[2] as string)).get(ids.attachmentUrl as string)).body,
    )

    // The import is a platform entry of the new instance's audit log.
    const entry = await target.database.db
      .selectFrom('audit_log')
      .select(['org_id', 'action', 'target_id'])
      .where('action', '=', 'school.imported')
      .executeTakeFirstOrThrow()
    expect(entry).toEqual({ org_id: null, action: 'school.imported', target_id: orgId })

    // The read models as imported are what a replay of the imported logs gives.
    const before = await readModels(target, orgId)
    expect(before.v_user_progress?.length).toBeGreaterThan(0)
    expect(before.xp_ledger?.length).toBeGreaterThan(0)
    for (const projector of target.projectors)
      await rebuildProjection(target.database.db, trackingEvents, projector, target.clock)
    expect(await readModels(target, orgId)).toEqual(before)

    // Life goes on there: the student who stopped at the quiz passes it and reads the last step.
    const late = await signIn(target, emails[4] as string)
    target.clock.advance(86_400_000)
    const passed = await late.post('/api/quiz-submission', { class_id: ids.quizId, answers: { q1: 'a' } })
    expect(passed.status, JSON.stringify(passed.body)).toBe(200)
    expect((await late.post('/api/step-ack', { class_id: ids.readingId })).status).toBe(200)
    const { progress } = (await late.get(`/api/me/courses/${ids.courseId}`)).body
    expect(progress).toMatchObject({ completed_steps: 3, total_steps: 3, completed: true })
    const failures = await target.database.db
      .selectFrom('projection_checkpoints')
      .select(['name', 'error'])
      .where('error', 'is not', null)
      .execute()
    expect(failures).toEqual([])
  })

  it('refuses to import the school again: its slug and ids are taken, and nothing is written', async () => {
    const count = async () =>
      Number(
        (
          await target.database.db
            .selectFrom('lms_event')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const before = await count()
    const importing = () => runSchoolCommand(target, { command: 'import', file: archive }, () => {})
    await expect(importing()).rejects.toThrow(SchoolTransferError)
    await expect(importing()).rejects.toThrow(`this instance already has a school with the slug ${slug}`)
    // Under another slug, its id is still taken.
    await target.database.db
      .updateTable('organisations')
      .set({ slug: `${slug}-here` })
      .where('id', '=', orgId)
      .execute()
    await expect(importing()).rejects.toThrow(`a school with the id ${orgId}`)
    expect(await count()).toBe(before)
  })

  it('refuses a tampered archive, a truncated one and a backup, before writing anything', async () => {
    const unpacked = join(dir, 'unpacked')
    rmSync(unpacked, { recursive: true, force: true })
    mkdirSync(unpacked)
    await tar.extract({ file: archive, cwd: unpacked })
    const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'))
    const members = join(unpacked, 'tables/memberships.jsonl')
    writeFileSync(members, readFileSync(members, 'utf8').replace('"student"', '"owner"'))
    const tampered = join(dir, 'tampered.tar.gz')
    await tar.create({ gzip: true, file: tampered, cwd: unpacked }, [
      'manifest.json',
      ...manifest.entries.map((e: { path: string }) => e.path),
    ])
    const fresh = await startTestApp(to)
    try {
      const importing = (file: string) => runSchoolCommand(fresh, { command: 'import', file }, () => {})
      await expect(importing(tampered)).rejects.toThrow(/checksum mismatch/)
      const truncated = join(dir, 'truncated.tar.gz')
      const whole = readFileSync(archive)
      writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)))
      await expect(importing(truncated)).rejects.toThrow(/truncated or damaged/)
      manifest.format = 'sillon-backup'
      writeFileSync(join(unpacked, 'manifest.json'), JSON.stringify(manifest))
      const other = join(dir, 'other.tar.gz')
      await tar.create({ gzip: true, file: other, cwd: unpacked }, ['manifest.json'])
      await expect(importing(other)).rejects.toThrow(/not a Sillon school archive manifest/)
      const newer = {
        ...JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')),
        format: 'sillon-school',
      }
      newer.migration = '2999-01-01-01-future'
      newer.entries = []
      writeFileSync(join(unpacked, 'manifest.json'), JSON.stringify(newer))
      await tar.create({ gzip: true, file: other, cwd: unpacked }, ['manifest.json'])
      await expect(importing(other)).rejects.toThrow(/newer schema/)
      expect(await fresh.database.db.selectFrom('organisations').select('id').execute()).toEqual([])

      // A row of another school here has the id of one of its rows, then one of its members already has
      // an account here: refused each time, and neither rows nor files are left.
      const handout = await source.database.db
        .selectFrom('kms_resource')
        .select('file_key')
        .where('org_id', '=', orgId)
        .execute()
      const key = handout.find((h) => h.file_key)?.file_key as string
      expect(await source.identity.files.get(key)).not.toBeNull()
      const nothingLeft = async () => {
        const schools = await fresh.database.db.selectFrom('organisations').select('id').execute()
        expect(schools).toEqual([{ id: resident.id }])
        expect(await fresh.database.db.selectFrom('users').select('email').execute()).toHaveLength(1)
        expect(await fresh.identity.files.get(key)).toBeNull()
      }
      const resident = await createOrg(fresh)
      await createMember(fresh, resident.id, 'owner')
      const team = await source.database.db
        .selectFrom('teams')
        .selectAll()
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow()
      await fresh.database.db
        .insertInto('teams')
        .values({ ...team, org_id: resident.id })
        .execute()
      await expect(importing(archive)).rejects.toThrow(`a row of teams with the id ${team.id}`)
      await nothingLeft()
      await fresh.database.db.deleteFrom('teams').execute()
      await fresh.database.db
        .updateTable('users')
        .set({ email: emails[3] as string })
        .execute()
      await expect(importing(archive)).rejects.toThrow(`an account with the e-mail ${emails[3]}`)
      await nothingLeft()
    } finally {
      await fresh.close()
    }
  })
})
