import { readFile } from 'node:fs/promises'
import type { App } from '../src/app.ts'
import { DEMO_COURSE_FILE } from '../src/demo.ts'
import * as catalog from '../src/modules/catalog/index.ts'
import * as identity from '../src/modules/identity/index.ts'

export type BenchSchool = { orgId: string; courseId: string; classId: string; tokens: string[] }

const PASSWORD = 'bench-sillon-password'
// Password hashing (scrypt) runs on libuv's pool: a few at a time keep both cores busy during setup.
const CONCURRENCY = 8

/** The demo course (a draft), its first video lasting `videoSec` so that no student finishes it mid-run. */
async function benchCourse(app: App, orgId: string, ownerUserId: string, videoSec: number) {
  const document = catalog.CourseDocumentSchema.parse(JSON.parse(await readFile(DEMO_COURSE_FILE, 'utf8')))
  const [first, ...rest] = document.steps
  if (!first?.video) throw new Error('the demo course should open with a video')
  document.steps = [{ ...first, video: { ...first.video, duration_sec: videoSec } }, ...rest]
  return catalog.importIntoOrganisation(app.catalog, orgId, ownerUserId, null, document)
}

/** A member of the school with a password (hashed, so slow) and their own API token. */
export async function benchMember(
  app: App,
  orgId: string,
  person: { email: string; name: string; role: identity.Role },
) {
  const { member } = await identity.addMember(app.identity, orgId, 'cli', { ...person, password: PASSWORD })
  const { studentId } = await identity.profilesOfUser(app.identity, orgId, member.user_id)
  const { token } = await identity.createApiToken(app.identity, orgId, member.user_id, { name: 'bench' })
  return { studentId, token }
}

async function benchStudent(app: App, orgId: string, index: number) {
  const { studentId, token } = await benchMember(app, orgId, {
    email: `student-${index}@bench.sillon.test`,
    name: `Student ${index}`,
    role: 'student',
  })
  return { studentId: studentId as string, token }
}

/**
 * A school with `studentCount` students, each with their own API token (students record their own
 * learning), all enrolled in a published course whose current step is a `videoSec`-long video.
 */
export async function seedBenchSchool(
  app: App,
  studentCount: number,
  videoSec: number,
): Promise<BenchSchool> {
  const org = await identity.createOrganisation(app.identity, {
    slug: 'bench',
    name: 'Bench school',
    default_locale: 'fr',
    timezone: 'Europe/Paris',
  })
  const { member: owner } = await identity.addMember(app.identity, org.id, 'cli', {
    email: 'owner@bench.sillon.test',
    name: 'Bench Owner',
    role: 'owner',
    password: PASSWORD,
  })
  const actor = {
    userId: owner.user_id,
    email: owner.email,
    name: owner.name,
    isSuperadmin: false,
    orgId: org.id,
    role: 'owner' as const,
    via: 'session' as const,
  }
  const students: { studentId: string; token: string }[] = []
  for (let start = 0; start < studentCount; start += CONCURRENCY) {
    const indexes = Array.from({ length: Math.min(CONCURRENCY, studentCount - start) }, (_, i) => start + i)
    students.push(...(await Promise.all(indexes.map((i) => benchStudent(app, org.id, i)))))
  }
  const courseId = await benchCourse(app, org.id, owner.user_id, videoSec)
  await catalog.updateCourse(app.catalog, actor, courseId, { student_ids: students.map((s) => s.studentId) })
  await catalog.publishCourse(app.catalog, actor, courseId)
  const path = await catalog.learnerPath(app.catalog, org.id, courseId)
  const classId = path?.steps[0]?.id
  if (!classId) throw new Error('the bench course has no first step')
  return { orgId: org.id, courseId, classId, tokens: students.map((s) => s.token) }
}
