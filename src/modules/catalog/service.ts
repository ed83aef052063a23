import type { z } from '@hono/zod-openapi'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { parseJson } from '../../core/db/json.ts'
import type { FileStore } from '../../core/files/file-store.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { AppError, badRequest, conflict, forbidden, notFound } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import * as identity from '../identity/index.ts'
import type { StreamSigner } from './cloudflare-stream.ts'
import * as repo from './repository.ts'
import type { Question, QuestionDisplay, RevealAnswers } from './rules/quiz.ts'
import {
  orderChangeRefusal,
  publishingProblems,
  type QuizDefinition,
  type StepContent,
  stepProblems,
  type TallyMapping,
  type Video,
} from './rules/steps.ts'
import type { MediaSchema } from './schemas.ts'
import type {
  ClassRow,
  CourseRow,
  KmsResourceRow,
  QuizRow,
  StepCaptionRow,
  StepType,
  TeamRow,
} from './tables.ts'

/** What the school's plan allows; null means no limit. Billing provides it; until then every school is unlimited. */
export type PlanLimits = { max_students: number | null; max_courses: number | null }
export type PlanLimitsPort = (orgId: string) => Promise<PlanLimits>
export const unlimitedPlan: PlanLimitsPort = async () => ({ max_students: null, max_courses: null })

/** How far students went, as the progress module knows it. */
export type ProgressPort = {
  /** How many leading steps of the course some student has completed or is working on. */
  reachedStepCount(orgId: string, courseId: string): Promise<number>
  hasCompletedCourse(orgId: string, courseId: string, studentId: string): Promise<boolean>
}

export type CatalogDeps = {
  db: Db
  clock: Clock
  identity: identity.IdentityDeps
  files: FileStore
  uploadMaxBytes: number
  /** Signs playback tokens for private Cloudflare Stream videos; null when no signing key is configured. */
  streamSigner: StreamSigner | null
  planLimits: PlanLimitsPort
  progress: ProgressPort
}

export type Actor = MemberIdentity

type MediaItem = z.infer<typeof MediaSchema>[number]

const json = JSON.stringify
const now = (deps: CatalogDeps) => deps.clock.now().toISOString()
const manager = (actor: Actor) => actor.isSuperadmin || actor.role === 'owner' || actor.role === 'admin'

// Course views

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

async function courseViews(deps: CatalogDeps, orgId: string, rows: CourseRow[]) {
  const ids = rows.map((r) => r.id)
  const [links, counts] = await Promise.all([
    repo.courseLinks(deps.db, orgId, ids),
    repo.countCourseSteps(deps.db, orgId, ids),
  ])
  const studentIds = new Set([...links.direct, ...links.viaTeams].map((l) => l.student_id))
  const instructorIds = new Set(links.instructors.map((l) => l.instructor_id))
  const [students, instructors] = await Promise.all([
    identity.peopleByIds(deps.identity, orgId, 'lms_student', [...studentIds]),
    identity.peopleByIds(deps.identity, orgId, 'lms_instructor', [...instructorIds]),
  ])
  const studentName = new Map(students.map((s) => [s.id, s.name]))
  const instructorName = new Map(instructors.map((i) => [i.id, i.name]))
  return rows.map((row) => {
    const enrolled = [
      ...new Set(
        [...links.direct, ...links.viaTeams].filter((l) => l.course_id === row.id).map((l) => l.student_id),
      ),
    ].sort()
    const assigned = links.instructors.filter((l) => l.course_id === row.id).map((l) => l.instructor_id)
    return {
      id: row.id,
      created_at: row.created_at,
      updated_at: row.updated_at,
      name: row.name,
      description: row.description,
      status: row.status,
      categories: parseJson<string[]>(row.categories_json, []),
      languages: parseJson<string[]>(row.languages_json, []),
      media: parseJson<MediaItem[]>(row.media_json, []),
      objectives: parseJson<string[]>(row.objectives_json, []),
      skills: parseJson<string[]>(row.skills_json, []),
      currency: row.currency,
      price_amount: row.price_amount === null ? null : Number(row.price_amount),
      is_active: row.is_active === 1,
      is_private: row.is_private === 1,
      max_playback_rate: Number(row.max_playback_rate),
      allow_video_download: row.allow_video_download === 1,
      video_completion_threshold: Number(row.video_completion_threshold),
      quiz_pass_threshold: Number(row.quiz_pass_threshold),
      student_ids: enrolled,
      direct_student_ids: links.direct
        .filter((l) => l.course_id === row.id)
        .map((l) => l.student_id)
        .sort(),
      students: enrolled.map((id) => ({ id, name: studentName.get(id) ?? null })),
      instructor_ids: assigned,
      instructors: assigned.map((id) => ({ id, name: instructorName.get(id) ?? null })),
      team_ids: links.teams.filter((l) => l.course_id === row.id).map((l) => l.team_id),
      step_count: Number(counts.find((c) => c.course_id === row.id)?.n ?? 0),
      published_at: row.published_at,
      raw: parseJson<Record<string, unknown> | null>(row.raw_json, null),
    }
  })
}

export type CourseView = Awaited<ReturnType<typeof courseViews>>[number]

async function loadCourse(deps: CatalogDeps, orgId: string, courseId: string): Promise<CourseRow> {
  const course = await repo.getCourse(deps.db, orgId, courseId)
  if (!course) throw notFound('Course')
  return course
}

/** Owners and admins edit every course; instructors the courses they are assigned to. */
async function assertMayEdit(deps: CatalogDeps, actor: Actor, course: CourseRow) {
  if (manager(actor)) return
  if (actor.role === 'instructor') {
    const { instructorId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
    if (instructorId && (await repo.isInstructorAssigned(deps.db, actor.orgId, course.id, instructorId)))
      return
  }
  throw forbidden('Only the instructors assigned to this course, and admins, can change it', 'not_assigned')
}

function assertNotArchived(course: CourseRow) {
  if (course.status === 'archived')
    throw conflict('course_archived', 'This course is archived: it can no longer change')
}

async function assertReferencesExist(deps: CatalogDeps, orgId: string, input: CourseInput) {
  const checks: [string[] | undefined, 'lms_student' | 'lms_instructor', string][] = [
    [input.student_ids, 'lms_student', 'student'],
    [input.instructor_ids, 'lms_instructor', 'instructor'],
  ]
  for (const [ids, table, label] of checks) {
    if (!ids?.length) continue
    const found = new Set((await identity.peopleByIds(deps.identity, orgId, table, ids)).map((p) => p.id))
    const missing = [...new Set(ids)].filter((id) => !found.has(id))
    if (missing.length) {
      throw new AppError(
        404,
        `${label}_not_found`,
        `No ${label} of this school has the id ${missing.join(', ')}`,
        {
          missing,
        },
      )
    }
  }
  if (input.team_ids?.length) {
    const found = new Set((await repo.findTeams(deps.db, orgId, input.team_ids)).map((t) => t.id))
    const missing = [...new Set(input.team_ids)].filter((id) => !found.has(id))
    if (missing.length) {
      throw new AppError(404, 'team_not_found', `No team of this school has the id ${missing.join(', ')}`, {
        missing,
      })
    }
  }
}

/** Checked inside the writing transaction, so that a refused change leaves nothing behind. */
async function assertWithinPlan(deps: CatalogDeps, db: Db, orgId: string, creating: boolean) {
  const limits = await deps.planLimits(orgId)
  if (
    creating &&
    limits.max_courses !== null &&
    (await repo.countCourses(db, orgId, 'archived')) > limits.max_courses
  ) {
    throw conflict('plan_limit_reached', `The school's plan allows ${limits.max_courses} courses`, {
      limit: 'max_courses',
      max: limits.max_courses,
    })
  }
  if (limits.max_students !== null && (await repo.countEnrolledStudents(db, orgId)) > limits.max_students) {
    throw conflict(
      'plan_limit_reached',
      `The school's plan allows ${limits.max_students} enrolled students`,
      {
        limit: 'max_students',
        max: limits.max_students,
      },
    )
  }
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
function draftCourseRow(
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
  return getCourse(deps, actor, courseId)
}

/** Drafts and archived courses can be deleted; a published course is archived first. */
export async function deleteCourse(deps: CatalogDeps, actor: Actor, courseId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  await assertMayEdit(deps, actor, course)
  if (course.status === 'published') {
    throw conflict('course_published', 'A published course cannot be deleted: archive it first')
  }
  await deps.db.transaction().execute(async (trx) => {
    const quizIds = (await repo.listCourseSteps(trx, actor.orgId, courseId)).flatMap((s) => s.quiz_id ?? [])
    await repo.deleteCourse(trx, actor.orgId, courseId)
    for (const quizId of quizIds) await repo.deleteQuiz(trx, actor.orgId, quizId)
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
  await repo.updateCourse(deps.db, actor.orgId, courseId, {
    status: 'published',
    published_at: at,
    updated_at: at,
  })
  return getCourse(deps, actor, courseId)
}

/** Archives a course: students keep what they did, nothing more can happen in it. */
export async function archiveCourse(deps: CatalogDeps, actor: Actor, courseId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  await assertMayEdit(deps, actor, course)
  await repo.updateCourse(deps.db, actor.orgId, courseId, { status: 'archived', updated_at: now(deps) })
  return getCourse(deps, actor, courseId)
}

// Steps

export type ClassInput = {
  name?: string
  description?: string | null
  step_type?: StepType
  content_md?: string | null
  video?: Video | null
  quiz?: QuizInputValue | null
  skills?: string[]
  languages?: string[]
  media?: MediaItem[]
  raw?: Record<string, unknown> | null
}

export type QuizInputValue =
  | {
      pass_threshold?: number
      reveal_answers?: RevealAnswers
      question_display?: QuestionDisplay
      questions: Question[]
    }
  | { pass_threshold?: number; tally: TallyMapping }

function quizDefinition(row: QuizRow): QuizDefinition {
  const passThreshold = row.pass_threshold === null ? null : Number(row.pass_threshold)
  return row.kind === 'tally'
    ? {
        kind: 'tally',
        pass_threshold: passThreshold,
        tally: parseJson<TallyMapping>(row.tally_json, {} as TallyMapping),
      }
    : {
        kind: 'native',
        pass_threshold: passThreshold,
        reveal_answers: row.reveal_answers,
        question_display: row.question_display,
        questions: parseJson<Question[]>(row.questions_json, []),
      }
}

function contentOf(row: ClassRow, quiz: QuizRow | undefined): StepContent {
  return {
    id: row.id,
    name: row.name,
    step_type: row.step_type,
    content_md: row.content_md,
    video: parseJson<Video | null>(row.video_json, null),
    quiz: quiz ? quizDefinition(quiz) : null,
  }
}

async function stepContents(deps: CatalogDeps, orgId: string, courseId: string): Promise<StepContent[]> {
  const steps = await repo.listCourseSteps(deps.db, orgId, courseId)
  const quizzes = await repo.getQuizzes(
    deps.db,
    orgId,
    steps.flatMap((s) => s.quiz_id ?? []),
  )
  return steps.map((s) =>
    contentOf(
      s,
      quizzes.find((q) => q.id === s.quiz_id),
    ),
  )
}

/** The quiz as staff see it: the answer key included, the Tally signing secret never. */
function quizView(quiz: QuizDefinition) {
  if (quiz.kind === 'native') {
    return {
      kind: quiz.kind,
      pass_threshold: quiz.pass_threshold,
      reveal_answers: quiz.reveal_answers,
      question_display: quiz.question_display,
      questions: quiz.questions,
    }
  }
  const { signing_secret, ...tally } = quiz.tally
  return {
    kind: quiz.kind,
    pass_threshold: quiz.pass_threshold,
    tally: { ...tally, signing_secret_set: Boolean(signing_secret) },
  }
}

async function classViews(deps: CatalogDeps, orgId: string, rows: ClassRow[]) {
  const courseIds = [...new Set(rows.map((r) => r.course_id))]
  const [quizzes, reachedCounts] = await Promise.all([
    repo.getQuizzes(
      deps.db,
      orgId,
      rows.flatMap((r) => r.quiz_id ?? []),
    ),
    Promise.all(courseIds.map((id) => deps.progress.reachedStepCount(orgId, id))),
  ])
  const reached = new Map(courseIds.map((id, i) => [id, reachedCounts[i] ?? 0]))
  return rows.map((row) => {
    const content = contentOf(
      row,
      quizzes.find((q) => q.id === row.quiz_id),
    )
    return {
      id: row.id,
      created_at: row.created_at,
      updated_at: row.updated_at,
      course_id: row.course_id,
      name: row.name,
      description: row.description,
      order_index: row.order_index,
      step_type: row.step_type,
      content_md: row.content_md,
      video: content.video,
      quiz: content.quiz ? quizView(content.quiz) : null,
      // Order indexes are the positions 0..n-1 (setStepOrder), and students reach a path's leading steps.
      students_reached: row.order_index < (reached.get(row.course_id) ?? 0),
      skills: parseJson<string[]>(row.skills_json, []),
      languages: parseJson<string[]>(row.languages_json, []),
      media: parseJson<MediaItem[]>(row.media_json, []),
      raw: parseJson<Record<string, unknown> | null>(row.raw_json, null),
    }
  })
}

export type ClassView = Awaited<ReturnType<typeof classViews>>[number]

async function loadClass(deps: CatalogDeps, orgId: string, classId: string) {
  const row = await repo.getClass(deps.db, orgId, classId)
  if (!row) throw notFound('Step')
  return row
}

export async function listClasses(
  deps: CatalogDeps,
  actor: Actor,
  filter: repo.ListFilter & { courseId?: string },
) {
  return classViews(deps, actor.orgId, await repo.listClasses(deps.db, actor.orgId, filter))
}

export async function getClass(deps: CatalogDeps, actor: Actor, classId: string): Promise<ClassView> {
  const [view] = await classViews(deps, actor.orgId, [await loadClass(deps, actor.orgId, classId)])
  return view as ClassView
}

function classColumns(input: ClassInput) {
  const columns: Partial<ClassRow> = {}
  if (input.name !== undefined) columns.name = input.name
  if (input.description !== undefined) columns.description = input.description
  if (input.step_type !== undefined) columns.step_type = input.step_type
  if (input.content_md !== undefined) columns.content_md = input.content_md
  if (input.video !== undefined) columns.video_json = input.video ? json(input.video) : null
  if (input.skills !== undefined) columns.skills_json = json(input.skills)
  if (input.languages !== undefined) columns.languages_json = json(input.languages)
  if (input.media !== undefined) columns.media_json = json(input.media)
  if (input.raw !== undefined) columns.raw_json = input.raw ? json(input.raw) : null
  return columns
}

/** What a new step is when its author does not say (Unified.to's classes have no type): its media tell. */
function defaultStepType(media: MediaItem[] | undefined): StepType {
  return media?.some((m) => m.type === 'VIDEO') ? 'video' : 'reading'
}

/** A new step row at a position of its course. */
function classRow(
  id: string,
  courseId: string,
  position: number,
  input: ClassInput & { name: string },
  quizId: string | null,
  at: string,
): Omit<ClassRow, 'org_id'> {
  return {
    id,
    course_id: courseId,
    name: input.name,
    description: null,
    order_index: position,
    step_type: input.step_type ?? defaultStepType(input.media),
    content_md: null,
    video_json: null,
    quiz_id: quizId,
    media_json: '[]',
    languages_json: '[]',
    skills_json: '[]',
    raw_json: null,
    ...classColumns(input),
    created_at: at,
    updated_at: at,
  }
}

/** Writes the step's quiz row; returns the quiz id the step should point at. */
async function writeQuiz(
  db: Db,
  orgId: string,
  current: QuizRow | undefined,
  input: QuizInputValue | null,
  at: string,
): Promise<string | null> {
  if (input === null) {
    if (current) await repo.deleteQuiz(db, orgId, current.id)
    return null
  }
  const isTally = 'tally' in input
  // Keep the stored signing secret when an edit does not restate it.
  const previousSecret =
    current?.kind === 'tally'
      ? parseJson<TallyMapping>(current.tally_json, {} as TallyMapping).signing_secret
      : undefined
  const columns = {
    kind: isTally ? ('tally' as const) : ('native' as const),
    pass_threshold: input.pass_threshold ?? null,
    reveal_answers: isTally ? ('after_pass' as const) : (input.reveal_answers ?? 'after_pass'),
    question_display: isTally ? ('all' as const) : (input.question_display ?? 'all'),
    questions_json: isTally ? '[]' : json(input.questions),
    tally_json: isTally
      ? json({ ...input.tally, signing_secret: input.tally.signing_secret ?? previousSecret })
      : null,
    updated_at: at,
  }
  if (current) {
    await repo.updateQuiz(db, orgId, current.id, columns)
    return current.id
  }
  const id = newId()
  await repo.insertQuiz(db, orgId, { id, ...columns, created_at: at })
  return id
}

function assertStepComplete(course: CourseRow, content: StepContent) {
  if (course.status !== 'published') return
  const problems = stepProblems(content)
  if (problems.length > 0) {
    throw conflict(
      'step_incomplete',
      `A published course only takes complete steps: this one ${problems.map((p) => p.message).join(', ')}`,
      { problems: problems.map((p) => ({ ...p, class_id: content.id })) },
    )
  }
}

async function assertMayChangeOrder(deps: CatalogDeps, course: CourseRow, before: string[], after: string[]) {
  if (course.status !== 'published') return
  const reached = await deps.progress.reachedStepCount(course.org_id, course.id)
  const refusal = orderChangeRefusal(before, after, reached)
  if (refusal) throw conflict('students_started', refusal, { reached_steps: reached })
}

/** Adds a step at the end of the path, or at `order_index` when students have not reached that place. */
export async function createClass(
  deps: CatalogDeps,
  actor: Actor,
  input: ClassInput & { course_id: string; name: string; order_index?: number },
) {
  const course = await loadCourse(deps, actor.orgId, input.course_id)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  const steps = await repo.listCourseSteps(deps.db, actor.orgId, course.id)
  const id = newId()
  const position = Math.min(input.order_index ?? steps.length, steps.length)
  const before = steps.map((s) => s.id)
  const after = [...before.slice(0, position), id, ...before.slice(position)]
  await assertMayChangeOrder(deps, course, before, after)
  const quiz = input.quiz ?? null
  assertStepComplete(course, {
    id,
    name: input.name,
    step_type: input.step_type ?? defaultStepType(input.media),
    content_md: input.content_md ?? null,
    video: input.video ?? null,
    quiz: quiz ? toDefinition(quiz) : null,
  })
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    const quizId = await writeQuiz(trx, actor.orgId, undefined, quiz, at)
    await repo.insertClass(trx, actor.orgId, classRow(id, course.id, position, input, quizId, at))
    await repo.setStepOrder(trx, actor.orgId, course.id, after, at)
    await repo.updateCourse(trx, actor.orgId, course.id, { updated_at: at })
  })
  return getClass(deps, actor, id)
}

function toDefinition(input: QuizInputValue): QuizDefinition {
  const passThreshold = input.pass_threshold ?? null
  return 'tally' in input
    ? { kind: 'tally', pass_threshold: passThreshold, tally: input.tally }
    : {
        kind: 'native',
        pass_threshold: passThreshold,
        reveal_answers: input.reveal_answers ?? 'after_pass',
        question_display: input.question_display ?? 'all',
        questions: input.questions,
      }
}

/** Edits a step. On a published course the step must stay complete; its place never changes here. */
export async function updateClass(deps: CatalogDeps, actor: Actor, classId: string, input: ClassInput) {
  const row = await loadClass(deps, actor.orgId, classId)
  const course = await loadCourse(deps, actor.orgId, row.course_id)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  const [currentQuiz] = await repo.getQuizzes(deps.db, actor.orgId, row.quiz_id ? [row.quiz_id] : [])
  const merged = contentOf({ ...row, ...classColumns(input) }, currentQuiz)
  if (input.quiz !== undefined) merged.quiz = input.quiz ? toDefinition(input.quiz) : null
  assertStepComplete(course, merged)
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    const quizId =
      input.quiz === undefined ? row.quiz_id : await writeQuiz(trx, actor.orgId, currentQuiz, input.quiz, at)
    await repo.updateClass(trx, actor.orgId, classId, {
      ...classColumns(input),
      quiz_id: quizId,
      updated_at: at,
    })
    await repo.updateCourse(trx, actor.orgId, course.id, { updated_at: at })
  })
  return getClass(deps, actor, classId)
}

export async function deleteClass(deps: CatalogDeps, actor: Actor, classId: string) {
  const row = await loadClass(deps, actor.orgId, classId)
  const course = await loadCourse(deps, actor.orgId, row.course_id)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  const before = (await repo.listCourseSteps(deps.db, actor.orgId, course.id)).map((s) => s.id)
  const after = before.filter((id) => id !== classId)
  await assertMayChangeOrder(deps, course, before, after)
  if (course.status === 'published' && after.length === 0) {
    throw conflict('last_step', 'A published course keeps at least one step')
  }
  const at = now(deps)
  const captions = await repo.listCaptions(deps.db, actor.orgId, [classId])
  await deps.db.transaction().execute(async (trx) => {
    for (const caption of captions) await repo.deleteCaption(trx, actor.orgId, caption.id)
    await repo.deleteClass(trx, actor.orgId, classId)
    if (row.quiz_id) await repo.deleteQuiz(trx, actor.orgId, row.quiz_id)
    await repo.setStepOrder(trx, actor.orgId, course.id, after, at)
    await repo.updateCourse(trx, actor.orgId, course.id, { updated_at: at })
  })
  // Files go once their rows are gone: a failure here leaves an unreferenced file, never a broken track.
  for (const caption of captions) await deps.files.delete(caption.file_key)
}

/** Sets the whole path order; it must name every step of the course exactly once. */
export async function reorderSteps(deps: CatalogDeps, actor: Actor, courseId: string, classIds: string[]) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  const before = (await repo.listCourseSteps(deps.db, actor.orgId, courseId)).map((s) => s.id)
  const given = new Set(classIds)
  if (given.size !== classIds.length || given.size !== before.length || before.some((id) => !given.has(id))) {
    throw new AppError(400, 'invalid_order', 'Give every step of the course exactly once', {
      expected: before.length,
    })
  }
  await assertMayChangeOrder(deps, course, before, classIds)
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    await repo.setStepOrder(trx, actor.orgId, courseId, classIds, at)
    await repo.updateCourse(trx, actor.orgId, courseId, { updated_at: at })
  })
  return listClasses(deps, actor, { courseId, limit: 1000, offset: 0 })
}

// Teams

async function teamViews(deps: CatalogDeps, orgId: string, rows: TeamRow[]) {
  const members = await repo.teamMembers(
    deps.db,
    orgId,
    rows.map((r) => r.id),
  )
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    student_ids: members.filter((m) => m.team_id === row.id).map((m) => m.student_id),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }))
}

/** The teams of each of these students, by student id, in name order (reporting's exports). */
export async function teamsOfStudents(deps: CatalogDeps, orgId: string, studentIds: string[]) {
  const rows = await repo.teamsOfStudents(deps.db, orgId, [...new Set(studentIds)])
  const teams = new Map<string, { id: string; name: string }[]>()
  for (const r of rows)
    teams.set(r.student_id, [...(teams.get(r.student_id) ?? []), { id: r.id, name: r.name }])
  return teams
}

async function loadTeam(deps: CatalogDeps, orgId: string, teamId: string) {
  const team = await repo.getTeam(deps.db, orgId, teamId)
  if (!team) throw notFound('Team')
  return team
}

/** A page of teams and how many match the search in all. */
export async function listTeams(deps: CatalogDeps, actor: Actor, filter: repo.TeamPage) {
  const { rows, total } = await repo.pageTeams(deps.db, actor.orgId, filter)
  return { teams: await teamViews(deps, actor.orgId, rows), total }
}

/** The signed-in student's teams (what they can rank themselves in); members without a student profile have none. */
export async function myTeams(deps: CatalogDeps, actor: Actor) {
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  return studentId ? repo.teamsOfStudent(deps.db, actor.orgId, studentId) : []
}

export async function getTeam(deps: CatalogDeps, actor: Actor, teamId: string) {
  const [view] = await teamViews(deps, actor.orgId, [await loadTeam(deps, actor.orgId, teamId)])
  return view as NonNullable<typeof view>
}

type TeamInput = { name?: string; description?: string | null; student_ids?: string[] }

export async function createTeam(deps: CatalogDeps, actor: Actor, input: TeamInput & { name: string }) {
  await assertReferencesExist(deps, actor.orgId, { student_ids: input.student_ids })
  const at = now(deps)
  const id = newId()
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertTeam(trx, actor.orgId, {
      id,
      name: input.name,
      description: input.description ?? null,
      created_at: at,
      updated_at: at,
    })
    await repo.replaceTeamMembers(trx, actor.orgId, id, [...new Set(input.student_ids ?? [])], at)
    await assertWithinPlan(deps, trx, actor.orgId, false)
  })
  return getTeam(deps, actor, id)
}

export async function updateTeam(deps: CatalogDeps, actor: Actor, teamId: string, input: TeamInput) {
  await loadTeam(deps, actor.orgId, teamId)
  await assertReferencesExist(deps, actor.orgId, { student_ids: input.student_ids })
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    const patch: Partial<TeamRow> = { updated_at: at }
    if (input.name !== undefined) patch.name = input.name
    if (input.description !== undefined) patch.description = input.description
    await repo.updateTeam(trx, actor.orgId, teamId, patch)
    if (input.student_ids) {
      await repo.replaceTeamMembers(trx, actor.orgId, teamId, [...new Set(input.student_ids)], at)
    }
    await assertWithinPlan(deps, trx, actor.orgId, false)
  })
  return getTeam(deps, actor, teamId)
}

/** The school's teams with these names, ignoring case (the first one made when two share a name). */
export async function teamsNamed(deps: CatalogDeps, orgId: string, names: string[]) {
  const rows = await repo.teamsNamed(deps.db, orgId, [...new Set(names.map((n) => n.toLowerCase()))])
  const byName = new Map<string, { id: string; name: string }>()
  for (const row of rows) if (!byName.has(row.name.toLowerCase())) byName.set(row.name.toLowerCase(), row)
  return [...byName.values()]
}

export async function teamsByIds(deps: CatalogDeps, orgId: string, teamIds: string[]) {
  return repo.teamsByIds(deps.db, orgId, teamIds)
}

/** Creates empty teams by name inside the caller's transaction (a member import). */
export async function createTeamsIn(deps: CatalogDeps, db: Db, orgId: string, names: string[]) {
  const at = now(deps)
  const created = []
  for (const name of names) {
    const id = newId()
    await repo.insertTeam(db, orgId, { id, name, description: null, created_at: at, updated_at: at })
    created.push({ id, name })
  }
  return created
}

/** Puts a student in a team inside the caller's transaction (an accepted invitation); a deleted team is skipped. */
export async function joinTeamIn(
  deps: CatalogDeps,
  db: Db,
  orgId: string,
  teamId: string,
  studentId: string,
) {
  if (!(await repo.getTeam(db, orgId, teamId))) return
  const at = now(deps)
  await repo.addTeamMember(db, orgId, teamId, studentId, at)
  await repo.updateTeam(db, orgId, teamId, { updated_at: at })
  await assertWithinPlan(deps, db, orgId, false)
}

/** The students of a team of the school (404 when it has no such team): what a team leaderboard ranks. */
export async function teamStudentIds(deps: CatalogDeps, orgId: string, teamId: string): Promise<string[]> {
  await loadTeam(deps, orgId, teamId)
  return (await repo.teamMembers(deps.db, orgId, [teamId])).map((m) => m.student_id)
}

export async function deleteTeam(deps: CatalogDeps, actor: Actor, teamId: string) {
  await loadTeam(deps, actor.orgId, teamId)
  await repo.deleteTeam(deps.db, actor.orgId, teamId)
}

export async function addTeamMember(deps: CatalogDeps, actor: Actor, teamId: string, studentId: string) {
  await loadTeam(deps, actor.orgId, teamId)
  await assertReferencesExist(deps, actor.orgId, { student_ids: [studentId] })
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    await repo.addTeamMember(trx, actor.orgId, teamId, studentId, at)
    await repo.updateTeam(trx, actor.orgId, teamId, { updated_at: at })
    await assertWithinPlan(deps, trx, actor.orgId, false)
  })
  return getTeam(deps, actor, teamId)
}

export async function removeTeamMember(deps: CatalogDeps, actor: Actor, teamId: string, studentId: string) {
  await loadTeam(deps, actor.orgId, teamId)
  if (!(await repo.removeTeamMember(deps.db, actor.orgId, teamId, studentId))) throw notFound('Team member')
  await repo.updateTeam(deps.db, actor.orgId, teamId, { updated_at: now(deps) })
}

// KMS: the course handout

/** File types a handout may hold: documents, office files, images, audio and video, archives. */
const KMS_FILE_TYPES = new Map<string, string[]>([
  ['application/pdf', ['pdf']],
  ['text/plain', ['txt']],
  ['text/markdown', ['md']],
  ['text/csv', ['csv']],
  ['image/png', ['png']],
  ['image/jpeg', ['jpg', 'jpeg']],
  ['image/gif', ['gif']],
  ['image/webp', ['webp']],
  ['audio/mpeg', ['mp3']],
  ['video/mp4', ['mp4']],
  ['application/zip', ['zip']],
  ['application/vnd.oasis.opendocument.text', ['odt']],
  ['application/vnd.oasis.opendocument.spreadsheet', ['ods']],
  ['application/vnd.oasis.opendocument.presentation', ['odp']],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', ['docx']],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ['xlsx']],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', ['pptx']],
])

export const kmsFileTypes = [...KMS_FILE_TYPES.keys()]

function kmsView(row: KmsResourceRow, available: boolean) {
  return {
    id: row.id,
    course_id: row.course_id,
    type: row.type,
    title: row.title,
    body: row.body_md,
    url: row.url,
    file:
      row.type === 'file'
        ? {
            name: row.file_name ?? '',
            type: row.file_type ?? 'application/octet-stream',
            size: Number(row.file_size ?? 0),
            download_url: `/api/courses/${row.course_id}/kms/${row.id}/file`,
          }
        : null,
    available_in_advance: row.available_in_advance === 1,
    available,
    order_index: row.order_index,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/**
 * What of a course's handout the caller may open: staff everything; an enrolled student the resources
 * marked available in advance, and all of them once the course is completed. Others see no course at all.
 */
async function kmsAccess(deps: CatalogDeps, actor: Actor, course: CourseRow) {
  if (actor.role !== 'student') return { student: false, completed: true }
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  const enrolled =
    studentId !== null &&
    course.status !== 'draft' &&
    (await repo.isStudentEnrolled(deps.db, actor.orgId, course.id, studentId))
  if (!enrolled || !studentId) throw notFound('Course')
  return {
    student: true,
    completed: await deps.progress.hasCompletedCourse(actor.orgId, course.id, studentId),
  }
}

export async function listKms(deps: CatalogDeps, actor: Actor, courseId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  const access = await kmsAccess(deps, actor, course)
  const rows = await repo.listKms(deps.db, actor.orgId, courseId)
  const visible = rows.filter((r) => access.completed || r.available_in_advance === 1)
  return { data: visible.map((r) => kmsView(r, true)), locked: rows.length - visible.length }
}

type KmsInput =
  | { type: 'document'; title: string; body: string; available_in_advance: boolean }
  | { type: 'link'; title: string; url: string; available_in_advance: boolean }

async function nextKmsIndex(deps: CatalogDeps, orgId: string, courseId: string) {
  const rows = await repo.listKms(deps.db, orgId, courseId)
  return rows.reduce((max, r) => Math.max(max, r.order_index + 1), 0)
}

async function editableCourse(deps: CatalogDeps, actor: Actor, courseId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  return course
}

export async function createKmsResource(deps: CatalogDeps, actor: Actor, courseId: string, input: KmsInput) {
  await editableCourse(deps, actor, courseId)
  const at = now(deps)
  const row: Omit<KmsResourceRow, 'org_id'> = {
    id: newId(),
    course_id: courseId,
    type: input.type,
    title: input.title,
    body_md: input.type === 'document' ? input.body : null,
    url: input.type === 'link' ? input.url : null,
    file_key: null,
    file_name: null,
    file_type: null,
    file_size: null,
    available_in_advance: input.available_in_advance ? 1 : 0,
    order_index: await nextKmsIndex(deps, actor.orgId, courseId),
    created_at: at,
    updated_at: at,
  }
  await repo.insertKms(deps.db, actor.orgId, row)
  return kmsView({ ...row, org_id: actor.orgId }, true)
}

function fileExtension(name: string) {
  const dot = name.lastIndexOf('.')
  return dot === -1 ? '' : name.slice(dot + 1).toLowerCase()
}

/** Stores an uploaded file (size and type checked) and records it; the file is written before the row. */
export async function createKmsFile(
  deps: CatalogDeps,
  actor: Actor,
  courseId: string,
  input: { title?: string; file: File; available_in_advance: boolean },
) {
  await editableCourse(deps, actor, courseId)
  const { file } = input
  if (file.size === 0) throw new AppError(400, 'empty_file', 'The file is empty')
  if (file.size > deps.uploadMaxBytes) {
    throw new AppError(413, 'file_too_large', `Files are limited to ${deps.uploadMaxBytes} bytes`)
  }
  const type = file.type.split(';')[0]?.trim().toLowerCase() ?? ''
  const extensions = KMS_FILE_TYPES.get(type)
  if (!extensions?.includes(fileExtension(file.name))) {
    throw new AppError(
      415,
      'unsupported_file_type',
      `This type of file is not accepted (${type || 'unknown'})`,
      {
        accepted: kmsFileTypes,
      },
    )
  }
  const id = newId()
  const key = `${actor.orgId}/${id}`
  await deps.files.put(key, new Uint8Array(await file.arrayBuffer()))
  const at = now(deps)
  const row: Omit<KmsResourceRow, 'org_id'> = {
    id,
    course_id: courseId,
    type: 'file',
    title: input.title?.trim() || file.name,
    body_md: null,
    url: null,
    file_key: key,
    file_name: file.name,
    file_type: type,
    file_size: file.size,
    available_in_advance: input.available_in_advance ? 1 : 0,
    order_index: await nextKmsIndex(deps, actor.orgId, courseId),
    created_at: at,
    updated_at: at,
  }
  try {
    await repo.insertKms(deps.db, actor.orgId, row)
  } catch (err) {
    await deps.files.delete(key)
    throw err
  }
  return kmsView({ ...row, org_id: actor.orgId }, true)
}

async function loadKms(deps: CatalogDeps, orgId: string, courseId: string, resourceId: string) {
  const row = await repo.getKms(deps.db, orgId, courseId, resourceId)
  if (!row) throw notFound('Resource')
  return row
}

export async function updateKmsResource(
  deps: CatalogDeps,
  actor: Actor,
  courseId: string,
  resourceId: string,
  input: { title?: string; body?: string; url?: string; available_in_advance?: boolean },
) {
  await editableCourse(deps, actor, courseId)
  const row = await loadKms(deps, actor.orgId, courseId, resourceId)
  if (input.body !== undefined && row.type !== 'document') {
    throw new AppError(400, 'not_a_document', 'Only a document has a body')
  }
  if (input.url !== undefined && row.type !== 'link')
    throw new AppError(400, 'not_a_link', 'Only a link has a URL')
  const patch: Partial<KmsResourceRow> = { updated_at: now(deps) }
  if (input.title !== undefined) patch.title = input.title
  if (input.body !== undefined) patch.body_md = input.body
  if (input.url !== undefined) patch.url = input.url
  if (input.available_in_advance !== undefined)
    patch.available_in_advance = input.available_in_advance ? 1 : 0
  await repo.updateKms(deps.db, actor.orgId, resourceId, patch)
  return kmsView({ ...row, ...patch }, true)
}

export async function deleteKmsResource(
  deps: CatalogDeps,
  actor: Actor,
  courseId: string,
  resourceId: string,
) {
  await editableCourse(deps, actor, courseId)
  const row = await loadKms(deps, actor.orgId, courseId, resourceId)
  await repo.deleteKms(deps.db, actor.orgId, resourceId)
  if (row.file_key) await deps.files.delete(row.file_key)
}

/** The bytes of a handout file, for whoever may open it. */
export async function readKmsFile(deps: CatalogDeps, actor: Actor, courseId: string, resourceId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  const access = await kmsAccess(deps, actor, course)
  const row = await loadKms(deps, actor.orgId, courseId, resourceId)
  if (row.type !== 'file' || !row.file_key) throw notFound('File')
  if (!access.completed && row.available_in_advance !== 1) throw notFound('Resource')
  const data = await deps.files.get(row.file_key)
  if (!data) throw notFound('File')
  return { data, name: row.file_name ?? 'file', type: row.file_type ?? 'application/octet-stream' }
}

// Caption tracks (WebVTT) of step videos

/** Caption files stay small: an hour of subtitles is about 100 KB. */
export const CAPTION_MAX_BYTES = 1_000_000

function captionView(row: StepCaptionRow) {
  return {
    id: row.id,
    language: row.language,
    label: row.label,
    size: Number(row.file_size),
    created_at: row.created_at,
    url: `/api/lms/classes/${row.class_id}/captions/${row.id}/file`,
  }
}

/** Staff of the school, or a student enrolled in the step's published course, may read its captions. */
async function assertMayReadCaptions(deps: CatalogDeps, actor: Actor, classId: string) {
  const row = await loadClass(deps, actor.orgId, classId)
  if (actor.role !== 'student') return row
  const course = await loadCourse(deps, actor.orgId, row.course_id)
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  const enrolled =
    studentId !== null &&
    course.status !== 'draft' &&
    (await repo.isStudentEnrolled(deps.db, actor.orgId, course.id, studentId))
  if (!enrolled) throw notFound('Step')
  return row
}

/** The caption tracks of these steps, by step id (a step without captions is absent). */
export async function captionsOfSteps(deps: CatalogDeps, orgId: string, classIds: string[]) {
  const rows = await repo.listCaptions(deps.db, orgId, [...new Set(classIds)])
  const byStep = new Map<string, ReturnType<typeof captionView>[]>()
  for (const row of rows) byStep.set(row.class_id, [...(byStep.get(row.class_id) ?? []), captionView(row)])
  return byStep
}

export async function listCaptions(deps: CatalogDeps, actor: Actor, classId: string) {
  await assertMayReadCaptions(deps, actor, classId)
  return (await repo.listCaptions(deps.db, actor.orgId, [classId])).map(captionView)
}

/**
 * Stores a WebVTT file as a caption track of the step's video. The file must be WebVTT (it starts with the
 * `WEBVTT` signature, whatever type the browser claims), so the player never loads anything else as a track.
 */
export async function createCaption(
  deps: CatalogDeps,
  actor: Actor,
  classId: string,
  input: { file: File; language: string; label: string } | null,
) {
  const row = await loadClass(deps, actor.orgId, classId)
  const course = await loadCourse(deps, actor.orgId, row.course_id)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  if (!input)
    throw badRequest('body_required', 'Send the WebVTT file, its language and label as multipart/form-data')
  if (!row.video_json) throw conflict('no_video', 'This step has no video to caption')
  const { file } = input
  if (file.size === 0) throw new AppError(400, 'empty_file', 'The file is empty')
  const limit = Math.min(CAPTION_MAX_BYTES, deps.uploadMaxBytes)
  if (file.size > limit)
    throw new AppError(413, 'file_too_large', `Caption files are limited to ${limit} bytes`)
  const bytes = new Uint8Array(await file.arrayBuffer())
  // The signature may follow a byte order mark; then a space, a tab or the end of the line.
  const head = new TextDecoder().decode(bytes.slice(0, 16)).replace(/^\uFEFF/, '')
  if (!/^WEBVTT($|[ \t\r\n])/.test(head)) {
    throw new AppError(
      415,
      'unsupported_file_type',
      'Captions must be a WebVTT file (.vtt, starting with WEBVTT)',
      {
        accepted: ['text/vtt'],
      },
    )
  }
  const id = newId()
  const key = `${actor.orgId}/${newId()}`
  await deps.files.put(key, bytes)
  const caption: Omit<StepCaptionRow, 'org_id'> = {
    id,
    class_id: classId,
    language: input.language,
    label: input.label,
    file_key: key,
    file_size: file.size,
    created_at: now(deps),
  }
  try {
    await repo.insertCaption(deps.db, actor.orgId, caption)
  } catch (err) {
    await deps.files.delete(key)
    throw err
  }
  return captionView({ ...caption, org_id: actor.orgId })
}

export async function deleteCaption(deps: CatalogDeps, actor: Actor, classId: string, captionId: string) {
  const row = await loadClass(deps, actor.orgId, classId)
  const course = await loadCourse(deps, actor.orgId, row.course_id)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  const caption = await repo.getCaption(deps.db, actor.orgId, classId, captionId)
  if (!caption) throw notFound('Caption')
  await repo.deleteCaption(deps.db, actor.orgId, captionId)
  await deps.files.delete(caption.file_key)
}

export async function readCaptionFile(deps: CatalogDeps, actor: Actor, classId: string, captionId: string) {
  await assertMayReadCaptions(deps, actor, classId)
  const caption = await repo.getCaption(deps.db, actor.orgId, classId, captionId)
  if (!caption) throw notFound('Caption')
  const data = await deps.files.get(caption.file_key)
  if (!data) throw notFound('File')
  return data
}

// Export and import: a course as one JSON document, to move it between schools or ship demo content

export type CourseDocument = {
  format: 'sillon.course'
  version: 1
  exported_at?: string
  course: Omit<CourseInput, 'student_ids' | 'instructor_ids' | 'team_ids'> & { name: string }
  steps: (ClassInput & { name: string })[]
  kms: KmsInput[]
}

/** The course, its steps with their quizzes, and its handout documents and links (files stay behind). */
export async function exportCourse(
  deps: CatalogDeps,
  orgId: string,
  courseId: string,
): Promise<CourseDocument> {
  const [view] = (await courseViews(deps, orgId, [await loadCourse(deps, orgId, courseId)])) as [CourseView]
  const steps = await classViews(deps, orgId, await repo.listCourseSteps(deps.db, orgId, courseId))
  const kms = await repo.listKms(deps.db, orgId, courseId)
  return {
    format: 'sillon.course',
    version: 1,
    exported_at: now(deps),
    course: {
      name: view.name,
      description: view.description,
      categories: view.categories,
      languages: view.languages,
      media: view.media,
      objectives: view.objectives,
      skills: view.skills,
      currency: view.currency,
      price_amount: view.price_amount,
      is_active: view.is_active,
      is_private: view.is_private,
      max_playback_rate: view.max_playback_rate,
      allow_video_download: view.allow_video_download,
      video_completion_threshold: view.video_completion_threshold,
      quiz_pass_threshold: view.quiz_pass_threshold,
      raw: view.raw,
    },
    steps: steps.map((step) => ({
      name: step.name,
      description: step.description,
      step_type: step.step_type,
      content_md: step.content_md,
      video: step.video,
      quiz: step.quiz ? exportedQuiz(step.quiz) : null,
      skills: step.skills,
      languages: step.languages,
      media: step.media,
      raw: step.raw,
    })),
    kms: kms.flatMap((r): KmsInput[] => {
      const available_in_advance = r.available_in_advance === 1
      if (r.type === 'document')
        return [{ type: 'document', title: r.title, body: r.body_md ?? '', available_in_advance }]
      if (r.type === 'link') return [{ type: 'link', title: r.title, url: r.url ?? '', available_in_advance }]
      return []
    }),
  }
}

function exportedQuiz(quiz: ReturnType<typeof quizView>): QuizInputValue {
  const threshold = quiz.pass_threshold === null ? {} : { pass_threshold: quiz.pass_threshold }
  if (quiz.kind === 'native')
    return {
      ...threshold,
      reveal_answers: quiz.reveal_answers,
      question_display: quiz.question_display,
      questions: quiz.questions,
    }
  const { signing_secret_set: _, ...tally } = quiz.tally
  return { ...threshold, tally }
}

/**
 * Creates a draft course from a document, with its steps, quizzes and handout, in one transaction.
 * An instructor who imports it is assigned to it.
 */
export async function importCourse(deps: CatalogDeps, actor: Actor, document: CourseDocument) {
  const { instructorId } =
    actor.role === 'instructor'
      ? await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
      : { instructorId: null }
  const courseId = await importIntoOrganisation(deps, actor.orgId, actor.userId, instructorId, document)
  return getCourse(deps, actor, courseId)
}

/** The organisation a course belongs to, for the command line, which acts on the whole platform. */
export async function organisationOfCourse(deps: CatalogDeps, courseId: string): Promise<string> {
  const orgId = await repo.findCourseOrganisation(deps.db, courseId)
  if (!orgId) throw notFound(`Course ${courseId}`)
  return orgId
}

/** The import itself, also used by the command line and the demo seed (no member performs it there). */
export async function importIntoOrganisation(
  deps: CatalogDeps,
  orgId: string,
  authorUserId: string | null,
  instructorId: string | null,
  document: CourseDocument,
): Promise<string> {
  const at = now(deps)
  const courseId = newId()
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertCourse(trx, orgId, draftCourseRow(courseId, document.course, authorUserId, at))
    if (instructorId) await repo.replaceCourseInstructors(trx, orgId, courseId, [instructorId], at)
    for (const [index, step] of document.steps.entries()) {
      const quizId = step.quiz ? await writeQuiz(trx, orgId, undefined, step.quiz, at) : null
      await repo.insertClass(trx, orgId, classRow(newId(), courseId, index, step, quizId, at))
    }
    for (const [index, resource] of document.kms.entries()) {
      await repo.insertKms(trx, orgId, {
        id: newId(),
        course_id: courseId,
        type: resource.type,
        title: resource.title,
        body_md: resource.type === 'document' ? resource.body : null,
        url: resource.type === 'link' ? resource.url : null,
        file_key: null,
        file_name: null,
        file_type: null,
        file_size: null,
        available_in_advance: resource.available_in_advance ? 1 : 0,
        order_index: index,
        created_at: at,
        updated_at: at,
      })
    }
    await assertWithinPlan(deps, trx, orgId, true)
  })
  return courseId
}

// Playback

const PLAYBACK_TOKEN_TTL_SECONDS = 60 * 60

export type Playback =
  | { source: 'url'; url: string; duration_sec: number }
  | {
      source: 'stream'
      uid: string
      duration_sec: number
      token: string | null
      token_expires_at: string | null
    }

/**
 * How to play a step's video. A private Stream video comes with a signed token (valid one hour) that
 * replaces the uid in Stream's player URLs; without a configured signing key it cannot be played.
 */
export async function playbackOf(deps: CatalogDeps, video: Video): Promise<Playback> {
  if (video.source === 'url') return video
  if (!video.requires_signed_urls) {
    return {
      source: 'stream',
      uid: video.uid,
      duration_sec: video.duration_sec,
      token: null,
      token_expires_at: null,
    }
  }
  if (!deps.streamSigner) {
    throw new AppError(
      503,
      'stream_signing_not_configured',
      'This private Stream video needs CLOUDFLARE_STREAM_SIGNING_KEY_ID and CLOUDFLARE_STREAM_SIGNING_KEY_PEM',
    )
  }
  const token = await deps.streamSigner.playbackToken(video.uid, PLAYBACK_TOKEN_TTL_SECONDS)
  const expires = new Date(deps.clock.now().getTime() + PLAYBACK_TOKEN_TTL_SECONDS * 1000).toISOString()
  return {
    source: 'stream',
    uid: video.uid,
    duration_sec: video.duration_sec,
    token,
    token_expires_at: expires,
  }
}

/** Lets course authors preview a step's video, private Stream videos included. */
export async function previewPlayback(deps: CatalogDeps, actor: Actor, classId: string) {
  const row = await loadClass(deps, actor.orgId, classId)
  const video = parseJson<Video | null>(row.video_json, null)
  if (!video) throw notFound('Video of this step')
  return playbackOf(deps, video)
}

// Paths as students take them (used by tracking and the student views)

export type LearnerStep = StepContent & { index: number; description: string | null }
export type LearnerPath = {
  course: Pick<
    CourseRow,
    | 'id'
    | 'name'
    | 'description'
    | 'status'
    | 'max_playback_rate'
    | 'allow_video_download'
    | 'video_completion_threshold'
    | 'quiz_pass_threshold'
  >
  steps: LearnerStep[]
}

/** A course and its steps in path order, with everything each step needs (answer keys included). */
export async function learnerPath(
  deps: CatalogDeps,
  orgId: string,
  courseId: string,
): Promise<LearnerPath | null> {
  const course = await repo.getCourse(deps.db, orgId, courseId)
  if (!course) return null
  const rows = await repo.listCourseSteps(deps.db, orgId, courseId)
  const quizzes = await repo.getQuizzes(
    deps.db,
    orgId,
    rows.flatMap((r) => r.quiz_id ?? []),
  )
  return {
    course: {
      id: course.id,
      name: course.name,
      description: course.description,
      status: course.status,
      max_playback_rate: Number(course.max_playback_rate),
      allow_video_download: Number(course.allow_video_download),
      video_completion_threshold: Number(course.video_completion_threshold),
      quiz_pass_threshold: Number(course.quiz_pass_threshold),
    },
    steps: rows.map((row, index) => ({
      ...contentOf(
        row,
        quizzes.find((q) => q.id === row.quiz_id),
      ),
      index,
      description: row.description,
    })),
  }
}

/** The course of each of these steps, by step id; a step the school does not have is absent. */
export async function coursesOfSteps(deps: CatalogDeps, orgId: string, classIds: string[]) {
  const rows = await repo.findCoursesOfClasses(deps.db, orgId, [...new Set(classIds)])
  return new Map(rows.map((r) => [r.id, r.course_id]))
}

/** Among these students, those enrolled in the course (directly or through a team). */
export async function enrolledAmong(
  deps: CatalogDeps,
  orgId: string,
  courseId: string,
  studentIds: string[],
) {
  return repo.enrolledStudentsAmong(deps.db, orgId, courseId, [...new Set(studentIds)])
}

export async function isEnrolled(deps: CatalogDeps, orgId: string, courseId: string, studentId: string) {
  return repo.isStudentEnrolled(deps.db, orgId, courseId, studentId)
}

/** Published (and archived) courses a student is enrolled in, directly or through a team. */
export async function coursesOfStudent(deps: CatalogDeps, orgId: string, studentId: string) {
  const ids = await repo.courseIdsOfStudent(deps.db, orgId, studentId)
  const rows = await Promise.all(ids.map((id) => repo.getCourse(deps.db, orgId, id)))
  return rows.filter((r): r is CourseRow => r !== undefined && r.status !== 'draft')
}

/** A step whose quiz is a Tally form, as a Tally webhook finds it (no organisation is known beforehand). */
export type TallyStep = {
  org_id: string
  course_id: string
  class_id: string
  pass_threshold: number | null
  tally: TallyMapping
}

function tallyStepOf(row: Awaited<ReturnType<typeof repo.findTallySteps>>[number]): TallyStep {
  return {
    org_id: row.org_id,
    course_id: row.course_id,
    class_id: row.class_id,
    pass_threshold: row.pass_threshold === null ? null : Number(row.pass_threshold),
    tally: parseJson<TallyMapping>(row.tally_json, {} as TallyMapping),
  }
}

/**
 * Every step, in any school, whose quiz is the Tally form `formId` (signing secrets included). Platform-wide:
 * the caller must prove which school it acts for (the webhook signature) before using one.
 */
export async function tallyStepsOfForm(deps: CatalogDeps, formId: string): Promise<TallyStep[]> {
  return (await repo.findTallySteps(deps.db, { formId })).map(tallyStepOf)
}

/** Among these step ids, in any school, the steps whose quiz is a Tally form. Platform-wide, as above. */
export async function tallyStepsAmong(deps: CatalogDeps, classIds: string[]): Promise<TallyStep[]> {
  return (await repo.findTallySteps(deps.db, { classIds: [...new Set(classIds)] })).map(tallyStepOf)
}

// Courses as dashboards see them (reporting)

/** The school's courses (all, or those listed, optionally of one status) with their steps in path order. */
export async function courseOutlines(
  deps: CatalogDeps,
  orgId: string,
  filter: { ids?: string[]; status?: CourseRow['status'] } = {},
) {
  const courses = await repo.findCourses(deps.db, orgId, {
    ...filter,
    ids: filter.ids ? [...new Set(filter.ids)] : undefined,
  })
  const steps = await repo.stepsOfCourses(
    deps.db,
    orgId,
    courses.map((c) => c.id),
  )
  const byCourse = new Map<string, typeof steps>()
  for (const step of steps) {
    const list = byCourse.get(step.course_id)
    if (list) list.push(step)
    else byCourse.set(step.course_id, [step])
  }
  return courses.map((course) => ({
    id: course.id,
    name: course.name,
    status: course.status,
    published_at: course.published_at,
    steps: (byCourse.get(course.id) ?? []).map((step, index) => ({
      id: step.id,
      name: step.name,
      step_type: step.step_type,
      index,
      has_quiz: step.quiz_id !== null,
    })),
  }))
}

export type CourseOutline = Awaited<ReturnType<typeof courseOutlines>>[number]

/**
 * Who is enrolled in these courses and since when. A student enrolled several ways (directly, through one
 * or more teams) counts once, from the earliest; through a team, from when both the team was linked to the
 * course and the student joined the team.
 */
export async function enrolmentsOf(deps: CatalogDeps, orgId: string, courseIds: string[]) {
  const links = await repo.enrolmentLinks(deps.db, orgId, [...new Set(courseIds)])
  const since = new Map<string, { course_id: string; student_id: string; enrolled_at: string }>()
  const add = (course_id: string, student_id: string, at: string) => {
    const key = `${course_id}|${student_id}`
    const known = since.get(key)
    if (!known || at < known.enrolled_at) since.set(key, { course_id, student_id, enrolled_at: at })
  }
  for (const l of links.direct) add(l.course_id, l.student_id, l.created_at)
  for (const l of links.viaTeams)
    add(l.course_id, l.student_id, l.team_linked_at > l.member_since ? l.team_linked_at : l.member_since)
  return [...since.values()]
}

/**
 * The students enrolled in a course (directly or through a team), or its instructors; `classId` names the
 * course by one of its steps. A course or step the school does not have has nobody.
 */
export async function peopleOfCourse(
  deps: CatalogDeps,
  orgId: string,
  table: 'lms_student' | 'lms_instructor',
  of: { courseId?: string; classId?: string },
): Promise<string[]> {
  let courseId = of.courseId
  if (of.classId) {
    const step = await repo.getClass(deps.db, orgId, of.classId)
    if (!step || (courseId && courseId !== step.course_id)) return []
    courseId = step.course_id
  }
  if (!courseId) return []
  const links = await repo.courseLinks(deps.db, orgId, [courseId])
  if (table === 'lms_instructor') return links.instructors.map((l) => l.instructor_id)
  return [...new Set([...links.direct, ...links.viaTeams].map((l) => l.student_id))]
}

/** Whether this member of the school is an instructor assigned to the course. */
export async function isCourseInstructor(deps: CatalogDeps, orgId: string, courseId: string, userId: string) {
  const { instructorId } = await identity.profilesOfUser(deps.identity, orgId, userId)
  return instructorId !== null && (await repo.isInstructorAssigned(deps.db, orgId, courseId, instructorId))
}
