import { conflict, notFound } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import { type IdentityDeps, now } from '../deps.ts'
import * as repo from '../repository.ts'
import type { LmsPersonRow } from '../tables.ts'
import { toWirePerson } from './presenters.ts'

// Unified.to LMS people (lms_student, lms_instructor)

type PersonInput = {
  name?: string | null
  first_name?: string | null
  last_name?: string | null
  emails?: { email: string; type?: string }[]
  telephones?: { telephone: string; type?: string }[]
  address?: Record<string, string | undefined> | null
  image_url?: string | null
  title?: string | null
  raw?: Record<string, unknown> | null
}

function personColumns(input: PersonInput) {
  const columns: Partial<Omit<LmsPersonRow, 'id' | 'org_id' | 'user_id' | 'created_at'>> = {}
  if (input.name !== undefined) columns.name = input.name
  if (input.first_name !== undefined) columns.first_name = input.first_name
  if (input.last_name !== undefined) columns.last_name = input.last_name
  if (input.emails !== undefined) columns.emails_json = JSON.stringify(input.emails)
  if (input.telephones !== undefined) columns.telephones_json = JSON.stringify(input.telephones)
  if (input.address !== undefined) columns.address_json = input.address ? JSON.stringify(input.address) : null
  if (input.image_url !== undefined) columns.image_url = input.image_url
  if (input.title !== undefined) columns.title = input.title
  if (input.raw !== undefined) columns.raw_json = input.raw ? JSON.stringify(input.raw) : null
  return columns
}

export type PersonListFilter = Omit<repo.PersonFilter, 'ids'> & { courseId?: string; classId?: string }

/** Lists profiles; `courseId` / `classId` keep those of a course, or of a step's course. */
export async function listPersons(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  filter: PersonListFilter,
) {
  const { courseId, classId, ...rest } = filter
  const ids = courseId || classId ? await deps.coursePeople(orgId, table, { courseId, classId }) : undefined
  return (await repo.listPersons(deps.db, orgId, table, { ...rest, ids })).map(toWirePerson)
}

export async function getPerson(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  personId: string,
) {
  const row = await repo.getPerson(deps.db, orgId, table, personId)
  if (!row) throw notFound(table === 'lms_student' ? 'Student' : 'Instructor')
  return toWirePerson(row)
}

export async function createPerson(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  input: PersonInput,
) {
  const at = now(deps)
  const name = input.name ?? ([input.first_name, input.last_name].filter(Boolean).join(' ') || null)
  const id = newId()
  await repo.insertPerson(deps.db, orgId, table, {
    id,
    user_id: null,
    name,
    first_name: null,
    last_name: null,
    emails_json: '[]',
    telephones_json: '[]',
    address_json: null,
    image_url: null,
    title: null,
    raw_json: null,
    ...personColumns(input),
    created_at: at,
    updated_at: at,
  })
  return getPerson(deps, orgId, table, id)
}

export async function updatePerson(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  personId: string,
  input: PersonInput,
) {
  await getPerson(deps, orgId, table, personId)
  await repo.updatePerson(deps.db, orgId, table, personId, { ...personColumns(input), updated_at: now(deps) })
  return getPerson(deps, orgId, table, personId)
}

/** Names of the given students or instructors of the organisation; ids that are not theirs are absent. */
export async function peopleByIds(deps: IdentityDeps, orgId: string, table: repo.PersonTable, ids: string[]) {
  return repo.findPersons(deps.db, orgId, table, [...new Set(ids)])
}

/** The caller's student and instructor profiles in the organisation, when they have them. */
export async function profilesOfUser(deps: IdentityDeps, orgId: string, userId: string) {
  const [student, instructor] = await Promise.all([
    repo.findPersonOfUser(deps.db, orgId, 'lms_student', userId),
    repo.findPersonOfUser(deps.db, orgId, 'lms_instructor', userId),
  ])
  return { studentId: student?.id ?? null, instructorId: instructor?.id ?? null }
}

/** The student profile id of each of these users in the organisation, by user id (absent when none). */
export async function studentsOfUsers(deps: IdentityDeps, orgId: string, userIds: string[]) {
  const rows = await repo.findPersonsOfUsers(deps.db, orgId, 'lms_student', [...new Set(userIds)])
  return new Map(rows.map((r) => [r.user_id as string, r.id]))
}

/** Deletes a profile, unless it is the profile of a current member in that role (remove the member first). */
export async function deletePerson(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  personId: string,
) {
  const row = await repo.getPerson(deps.db, orgId, table, personId)
  if (!row) throw notFound(table === 'lms_student' ? 'Student' : 'Instructor')
  if (row.user_id) {
    const membership = await repo.getMembership(deps.db, orgId, row.user_id)
    const role = table === 'lms_student' ? 'student' : 'instructor'
    if (membership?.role === role) {
      throw conflict('linked_member', `This profile belongs to a current ${role}: remove the member first`)
    }
  }
  await repo.deletePerson(deps.db, orgId, table, personId)
}
