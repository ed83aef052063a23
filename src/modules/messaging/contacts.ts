import { z } from '@hono/zod-openapi'
import type { MemberIdentity } from '../../core/http/access.ts'
import { notFound } from '../../core/http/errors.ts'
import type { Role } from '../../core/http/roles.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import { mayWrite } from './rules/who-may-write.ts'
import type { MessagingDeps } from './service.ts'

// Whom the caller may start a direct conversation with: the people a "new conversation" picker offers,
// and, for one course, its instructors (a student's "message the teacher"). The same rule as posting
// (rules/who-may-write.ts) decides, so the picker never offers someone the API would refuse.

export const ContactQuery = z.object({
  query: z
    .string()
    .trim()
    .max(200)
    .optional()
    .openapi({ description: 'Part of a name or e-mail', example: 'martin' }),
  course_id: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "Only this course's instructors (the caller's teachers)" }),
  limit: z.coerce.number().int().min(1).max(50).default(20).openapi({ example: 20 }),
})

export const ContactListSchema = z
  .object({
    data: z.array(
      z.object({
        member_id: z.string(),
        name: z.string(),
        role: z.enum(['owner', 'admin', 'instructor', 'student', 'support']),
      }),
    ),
  })
  .openapi('ContactList')

type Contact = { user_id: string; name: string; role: Role }

/** The members the caller may write to, by name, at most `limit`. */
export async function listContacts(deps: MessagingDeps, me: MemberIdentity, q: z.infer<typeof ContactQuery>) {
  const teachers = me.role === 'student' ? await teachersOf(deps, me) : new Set<string>()
  let candidates: Contact[]
  if (q.course_id) {
    const [course] = await catalog.courseOutlines(deps.catalog, me.orgId, { ids: [q.course_id] })
    if (!course) throw notFound('Course')
    candidates = await identity.membersAmong(
      deps.identity,
      me.orgId,
      await instructorUsers(deps, me.orgId, [q.course_id]),
    )
  } else {
    candidates = await membersMatching(deps, me, q.query, q.limit + 1, teachers)
  }
  const studentMessaging =
    me.role === 'student' && (await identity.getOrganisation(deps.identity, me.orgId)).student_messaging === 1
  const allowed = candidates.filter(
    (m) =>
      m.user_id !== me.userId &&
      mayWrite({ from: me.role, to: m.role, teachesSender: teachers.has(m.user_id), studentMessaging })
        .allowed,
  )
  const byName = [...new Map(allowed.map((m) => [m.user_id, m])).values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.user_id.localeCompare(b.user_id),
  )
  return {
    data: byName.slice(0, q.limit).map((m) => ({ member_id: m.user_id, name: m.name, role: m.role })),
  }
}

/** Members matching the text, among the roles the caller may write to (a student's teachers included). */
async function membersMatching(
  deps: MessagingDeps,
  me: MemberIdentity,
  query: string | undefined,
  limit: number,
  teachers: Set<string>,
): Promise<Contact[]> {
  const roles: (Role | undefined)[] =
    me.role === 'student'
      ? ['owner', 'admin', 'support', 'student']
      : me.role === 'support'
        ? ['owner', 'admin', 'instructor']
        : [undefined]
  const pages = await Promise.all(
    roles.map((role) => identity.listMembers(deps.identity, me.orgId, { role, query, limit, offset: 0 })),
  )
  const found: Contact[] = pages.flatMap((p) => p.rows)
  if (teachers.size > 0) {
    const text = query?.toLowerCase()
    const own = await identity.membersAmong(deps.identity, me.orgId, [...teachers])
    found.push(...own.filter((m) => !text || m.name.toLowerCase().includes(text)))
  }
  return found
}

/** The accounts of the instructors of the courses a student is enrolled in. */
async function teachersOf(deps: MessagingDeps, me: MemberIdentity) {
  const { studentId } = await identity.profilesOfUser(deps.identity, me.orgId, me.userId)
  if (!studentId) return new Set<string>()
  const courses = await catalog.coursesOfStudent(deps.catalog, me.orgId, studentId)
  return new Set(
    await instructorUsers(
      deps,
      me.orgId,
      courses.map((c) => c.id),
    ),
  )
}

async function instructorUsers(deps: MessagingDeps, orgId: string, courseIds: string[]) {
  const ids = (
    await Promise.all(
      courseIds.map((courseId) =>
        catalog.peopleOfCourse(deps.catalog, orgId, 'lms_instructor', { courseId }),
      ),
    )
  ).flat()
  const people = await identity.peopleByIds(deps.identity, orgId, 'lms_instructor', ids)
  return people.flatMap((p) => p.user_id ?? [])
}
