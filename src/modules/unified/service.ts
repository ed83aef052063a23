import type { z } from '@hono/zod-openapi'
import type { MemberIdentity } from '../../core/http/access.ts'
import { notFound } from '../../core/http/errors.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import { classView, courseView, instructorView, studentView } from './presenters.ts'
import type * as s from './schemas.ts'

export type UnifiedDeps = { identity: identity.IdentityDeps; catalog: catalog.CatalogDeps }

type Actor = MemberIdentity
type ListQuery = z.infer<typeof s.ListQuery>

/** A connection is a school, named by its slug: another school's, or an unknown one, is not found. */
export async function assertConnection(deps: UnifiedDeps, actor: Actor, connectionId: string) {
  const org = await identity.getOrganisation(deps.identity, actor.orgId)
  if (org.slug !== connectionId) throw notFound('Connection')
}

const listFilter = (q: ListQuery) => ({
  limit: q.limit,
  offset: q.offset,
  query: q.query,
  updatedGte: q.updated_gte,
})

// People

type Person = Awaited<ReturnType<typeof identity.getPerson>>
const personView = (table: identity.PersonTable, p: Person) =>
  table === 'lms_student' ? studentView(p) : instructorView(p)

type PersonInput = z.infer<typeof s.UpdatePersonBody>

/** Entries without an address are skipped; a list of only such entries leaves the e-mails as they were. */
function personColumns({ emails, ...rest }: PersonInput) {
  const given = emails?.flatMap((e) => (e.email === undefined ? [] : [{ email: e.email, type: e.type }]))
  return { ...rest, emails: given?.length || emails?.length === 0 ? given : undefined }
}

export async function listPeople(
  deps: UnifiedDeps,
  actor: Actor,
  table: identity.PersonTable,
  q: z.infer<typeof s.PersonListQuery>,
) {
  const filter = { ...listFilter(q), courseId: q.course_id, classId: q.class_id }
  const rows = await identity.listPersons(deps.identity, actor.orgId, table, filter)
  return rows.map((p) => personView(table, p))
}

export async function getPerson(deps: UnifiedDeps, actor: Actor, table: identity.PersonTable, id: string) {
  return personView(table, await identity.getPerson(deps.identity, actor.orgId, table, id))
}

export async function createPerson(
  deps: UnifiedDeps,
  actor: Actor,
  table: identity.PersonTable,
  input: PersonInput,
) {
  const created = await identity.createPerson(deps.identity, actor.orgId, table, personColumns(input))
  return personView(table, created)
}

export async function updatePerson(
  deps: UnifiedDeps,
  actor: Actor,
  table: identity.PersonTable,
  id: string,
  input: PersonInput,
) {
  const updated = await identity.updatePerson(deps.identity, actor.orgId, table, id, personColumns(input))
  return personView(table, updated)
}

export async function removePerson(deps: UnifiedDeps, actor: Actor, table: identity.PersonTable, id: string) {
  await identity.deletePerson(deps.identity, actor.orgId, table, id)
}

// Courses

type CourseInput = z.infer<typeof s.UpdateCourseInput>

/**
 * Unified's `students` and `instructors` references as Sillon's enrolments. `students` is every enrolled
 * student, as a course reads: those the course's teams already enrol stay enrolled through their team, so
 * that writing back what was read changes nothing.
 */
async function courseColumns(
  deps: UnifiedDeps,
  actor: Actor,
  { students, instructors, ...fields }: CourseInput,
  current?: catalog.CourseView,
): Promise<catalog.CourseInput> {
  const columns: catalog.CourseInput = { ...fields }
  if (instructors) columns.instructor_ids = instructors.map((r) => r.id)
  if (students) {
    const teams = await Promise.all(
      (current?.team_ids ?? []).map((teamId) => catalog.teamStudentIds(deps.catalog, actor.orgId, teamId)),
    )
    const viaTeams = new Set(teams.flat())
    columns.student_ids = students.map((r) => r.id).filter((id) => !viaTeams.has(id))
  }
  return columns
}

export async function listCourses(deps: UnifiedDeps, actor: Actor, q: ListQuery) {
  return (await catalog.listCourses(deps.catalog, actor, listFilter(q))).map(courseView)
}

export async function getCourse(deps: UnifiedDeps, actor: Actor, id: string) {
  return courseView(await catalog.getCourse(deps.catalog, actor, id))
}

export async function createCourse(
  deps: UnifiedDeps,
  actor: Actor,
  input: z.infer<typeof s.CreateCourseInput>,
) {
  const columns = await courseColumns(deps, actor, input)
  return courseView(await catalog.createCourse(deps.catalog, actor, { ...columns, name: input.name }))
}

export async function updateCourse(deps: UnifiedDeps, actor: Actor, id: string, input: CourseInput) {
  const current = await catalog.getCourse(deps.catalog, actor, id)
  const columns = await courseColumns(deps, actor, input, current)
  return courseView(await catalog.updateCourse(deps.catalog, actor, id, columns))
}

export async function removeCourse(deps: UnifiedDeps, actor: Actor, id: string) {
  await catalog.deleteCourse(deps.catalog, actor, id)
}

// Classes

export async function listClasses(deps: UnifiedDeps, actor: Actor, q: z.infer<typeof s.ClassListQuery>) {
  const filter = { ...listFilter(q), courseId: q.course_id }
  return (await catalog.listClasses(deps.catalog, actor, filter)).map(classView)
}

export async function getClass(deps: UnifiedDeps, actor: Actor, id: string) {
  return classView(await catalog.getClass(deps.catalog, actor, id))
}

/** A class made here has no step type: the catalog makes it a video or a reading step by its media. */
export async function createClass(
  deps: UnifiedDeps,
  actor: Actor,
  input: z.infer<typeof s.CreateClassInput>,
) {
  return classView(await catalog.createClass(deps.catalog, actor, input))
}

export async function updateClass(
  deps: UnifiedDeps,
  actor: Actor,
  id: string,
  input: z.infer<typeof s.UpdateClassInput>,
) {
  return classView(await catalog.updateClass(deps.catalog, actor, id, input))
}

export async function removeClass(deps: UnifiedDeps, actor: Actor, id: string) {
  await catalog.deleteClass(deps.catalog, actor, id)
}
