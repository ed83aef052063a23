import type { Db } from '../../../core/db/database.ts'
import { conflict } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import { auditActor, recordAudit } from '../../audit/index.ts'
import * as identity from '../../identity/index.ts'
import { type Actor, type CatalogDeps, json, now } from '../deps.ts'
import { publishingProblems } from '../rules/steps.ts'
import type { MediaItem } from '../schemas.ts'
import { stepContents } from '../steps/content.ts'
import * as stepRepo from '../steps/repository.ts'
import type { CourseRow } from '../tables.ts'
import {
  assertMayEdit,
  assertNotArchived,
  assertReferencesExist,
  assertWithinPlan,
  loadCourse,
} from './checks.ts'
import { type CourseView, courseView } from './presenters.ts'
import * as repo from './repository.ts'

export type CourseInput = {
  name?: string
  description?: string | null
  categories?: string[]
  languages?: string[]
  media?: MediaItem[]
  objectives?: string[]
  skills?: string[]
  currency?: string | null
  price_amount?: number | null
  is_active?: boolean
  is_private?: boolean
  max_playback_rate?: number
  allow_video_download?: boolean
  video_completion_threshold?: number
  quiz_pass_threshold?: number
  student_ids?: string[]
  instructor_ids?: string[]
  team_ids?: string[]
  raw?: Record<string, unknown> | null
}

/** Course rows as the API shows them, with what their views need loaded once for all of them. */
export async function courseViews(
  deps: CatalogDeps,
  orgId: string,
  rows: CourseRow[],
): Promise<CourseView[]> {
  const ids = rows.map((r) => r.id)
  const [links, stepCounts] = await Promise.all([
    repo.courseLinks(deps.db, orgId, ids),
    stepRepo.countCourseSteps(deps.db, orgId, ids),
  ])
  const studentIds = new Set([...links.direct, ...links.viaTeams].map((l) => l.student_id))
  const instructorIds = new Set(links.instructors.map((l) => l.instructor_id))
  const [students, instructors] = await Promise.all([
    identity.peopleByIds(deps.identity, orgId, 'lms_student', [...studentIds]),
    identity.peopleByIds(deps.identity, orgId, 'lms_instructor', [...instructorIds]),
  ])
  const studentName = new Map(students.map((s) => [s.id, s.name]))
  const instructorName = new Map(instructors.map((i) => [i.id, i.name]))
  return rows.map((row) => courseView(row, { links, stepCounts, studentName, instructorName }))
}

function courseColumns(input: CourseInput) {
  const columns: Partial<CourseRow> = {}
  if (input.name !== undefined) columns.name = input.name
  if (input.description !== undefined) columns.description = input.description
  if (input.categories !== undefined) columns.categories_json = json(input.categories)
  if (input.languages !== undefined) columns.languages_json = json(input.languages)
  if (input.media !== undefined) columns.media_json = json(input.media)
  if (input.objectives !== undefined) columns.objectives_json = json(input.objectives)
  if (input.skills !== undefined) columns.skills_json = json(input.skills)
  if (input.currency !== undefined) columns.currency = input.currency
  if (input.price_amount !== undefined) columns.price_amount = input.price_amount
  if (input.is_active !== undefined) columns.is_active = input.is_active ? 1 : 0
  if (input.is_private !== undefined) columns.is_private = input.is_private ? 1 : 0
  if (input.max_playback_rate !== undefined) columns.max_playback_rate = input.max_playback_rate
  if (input.allow_video_download !== undefined)
    columns.allow_video_download = input.allow_video_download ? 1 : 0
  if (input.video_completion_threshold !== undefined)
    columns.video_completion_threshold = input.video_completion_threshold
  if (input.quiz_pass_threshold !== undefined) columns.quiz_pass_threshold = input.quiz_pass_threshold
  if (input.raw !== undefined) columns.raw_json = input.raw ? json(input.raw) : null
  return columns
}

/** A new draft course row: Sillon's defaults, then what the input gives. */
export function draftCourseRow(
  id: string,
  input: CourseInput & { name: string },
  createdBy: string | null,
  at: string,
): Omit<CourseRow, 'org_id'> {
  return {
    id,
    name: input.name,
    description: null,
    status: 'draft',
    categories_json: '[]',
    media_json: '[]',
    languages_json: '[]',
    objectives_json: '[]',
    skills_json: '[]',
    currency: null,
    price_amount: null,
    is_active: 1,
    is_private: 0,
    max_playback_rate: 2,
    allow_video_download: 1,
    video_completion_threshold: 0.9,
    quiz_pass_threshold: 0.8,
    raw_json: null,
    created_by: createdBy,
    published_at: null,
    ...courseColumns(input),
    created_at: at,
    updated_at: at,
  }
}

async function writeCourseLinks(db: Db, orgId: string, courseId: string, input: CourseInput, at: string) {
  if (input.student_ids)
    await repo.replaceCourseStudents(db, orgId, courseId, [...new Set(input.student_ids)], at)
  if (input.team_ids) await repo.replaceCourseTeams(db, orgId, courseId, [...new Set(input.team_ids)], at)
  if (input.instructor_ids) {
    await repo.replaceCourseInstructors(db, orgId, courseId, [...new Set(input.instructor_ids)], at)
  }
}

export async function listCourses(
  deps: CatalogDeps,
  actor: Actor,
  filter: repo.ListFilter & { status?: CourseRow['status'] },
) {
  return courseViews(deps, actor.orgId, await repo.listCourses(deps.db, actor.orgId, filter))
}

/** How many courses match a list's filters across all its pages. */
export async function countCourses(deps: CatalogDeps, actor: Actor, filter: repo.CourseFilter) {
  return repo.countMatchingCourses(deps.db, actor.orgId, filter)
}

export async function getCourse(deps: CatalogDeps, actor: Actor, courseId: string): Promise<CourseView> {
  const [view] = await courseViews(deps, actor.orgId, [await loadCourse(deps, actor.orgId, courseId)])
  return view as CourseView
}

/**
 * Creates a learning path as a draft (seed 004 scenario 1): the author is an instructor or admin, enrolled
 * students belong to the school, and the plan allows another course. An instructor author is assigned to it.
 */
export async function createCourse(deps: CatalogDeps, actor: Actor, input: CourseInput & { name: string }) {
  await assertReferencesExist(deps, actor.orgId, input)
  const instructorIds = [...(input.instructor_ids ?? [])]
  if (actor.role === 'instructor') {
    const { instructorId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
    if (instructorId && !instructorIds.includes(instructorId)) instructorIds.push(instructorId)
  }
  const at = now(deps)
  const id = newId()
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertCourse(trx, actor.orgId, draftCourseRow(id, input, actor.userId, at))
    await writeCourseLinks(trx, actor.orgId, id, { ...input, instructor_ids: instructorIds }, at)
    await assertWithinPlan(deps, trx, actor.orgId, true)
  })
  return getCourse(deps, actor, id)
}

export async function updateCourse(deps: CatalogDeps, actor: Actor, courseId: string, input: CourseInput) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  await assertReferencesExist(deps, actor.orgId, input)
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    await repo.updateCourse(trx, actor.orgId, courseId, { ...courseColumns(input), updated_at: at })
    await writeCourseLinks(trx, actor.orgId, courseId, input, at)
    await assertWithinPlan(deps, trx, actor.orgId, false)
  })
  if (course.status === 'published' && (input.student_ids || input.team_ids)) {
    await tellStudents(deps, actor.orgId, course)
  }
  return getCourse(deps, actor, courseId)
}

/** Tells the students of a published course, enrolled directly or through a team, that it is theirs. */
async function tellStudents(deps: CatalogDeps, orgId: string, course: CourseRow) {
  if (!deps.courseAssigned) return
  const links = await repo.courseLinks(deps.db, orgId, [course.id])
  const studentIds = [...new Set([...links.direct, ...links.viaTeams].map((l) => l.student_id))]
  const people = await identity.peopleByIds(deps.identity, orgId, 'lms_student', studentIds)
  const userIds = people.flatMap((p) => p.user_id ?? [])
  if (userIds.length > 0) await deps.courseAssigned(orgId, { id: course.id, name: course.name, userIds })
}

/** Drafts and archived courses can be deleted; a published course is archived first. */
export async function deleteCourse(deps: CatalogDeps, actor: Actor, courseId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  await assertMayEdit(deps, actor, course)
  if (course.status === 'published') {
    throw conflict('course_published', 'A published course cannot be deleted: archive it first')
  }
  await deps.db.transaction().execute(async (trx) => {
    const quizIds = (await stepRepo.listCourseSteps(trx, actor.orgId, courseId)).flatMap(
      (s) => s.quiz_id ?? [],
    )
    await repo.deleteCourse(trx, actor.orgId, courseId)
    for (const quizId of quizIds) await stepRepo.deleteQuiz(trx, actor.orgId, quizId)
  })
}

/** Publishes a draft whose every step is complete; otherwise lists what is missing. */
export async function publishCourse(deps: CatalogDeps, actor: Actor, courseId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  if (course.status === 'published') return getCourse(deps, actor, courseId)
  const problems = publishingProblems(await stepContents(deps, actor.orgId, courseId))
  if (problems.length > 0) {
    throw conflict('not_publishable', 'The course is not ready to publish', { problems })
  }
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    await repo.updateCourse(trx, actor.orgId, courseId, {
      status: 'published',
      published_at: at,
      updated_at: at,
    })
    await auditCourse(deps, trx, actor, 'course.published', course)
  })
  await tellStudents(deps, actor.orgId, course)
  return getCourse(deps, actor, courseId)
}

async function auditCourse(
  deps: CatalogDeps,
  db: Db,
  actor: Actor,
  action: 'course.published' | 'course.archived',
  course: CourseRow,
) {
  await recordAudit(
    { db, clock: deps.clock },
    {
      orgId: actor.orgId,
      actor: auditActor(actor),
      action,
      target: { type: 'course', id: course.id, label: course.name },
      details: { from: course.status },
    },
  )
}

/** Archives a course: students keep what they did, nothing more can happen in it. */
export async function archiveCourse(deps: CatalogDeps, actor: Actor, courseId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  await assertMayEdit(deps, actor, course)
  if (course.status === 'archived') return getCourse(deps, actor, courseId)
  await deps.db.transaction().execute(async (trx) => {
    await repo.updateCourse(trx, actor.orgId, courseId, { status: 'archived', updated_at: now(deps) })
    await auditCourse(deps, trx, actor, 'course.archived', course)
  })
  return getCourse(deps, actor, courseId)
}
