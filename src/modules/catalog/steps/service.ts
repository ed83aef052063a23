import type { Db } from '../../../core/db/database.ts'
import { parseJson } from '../../../core/db/json.ts'
import { AppError, conflict, notFound } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import * as captionRepo from '../captions/repository.ts'
import { assertMayEdit, assertNotArchived, loadCourse } from '../courses/checks.ts'
import * as courseRepo from '../courses/repository.ts'
import { type Actor, type CatalogDeps, json, now } from '../deps.ts'
import {
  orderChangeRefusal,
  type StepContent,
  stepProblems,
  type TallyMapping,
  type Video,
} from '../rules/steps.ts'
import type { MediaItem } from '../schemas.ts'
import type { ClassRow, CourseRow, QuizRow, StepType } from '../tables.ts'
import { contentOf, type QuizInputValue, toDefinition } from './content.ts'
import { type ClassView, classView } from './presenters.ts'
import * as repo from './repository.ts'

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

/** Step rows as staff see them, with their quizzes and how far students went in their courses. */
export async function classViews(deps: CatalogDeps, orgId: string, rows: ClassRow[]): Promise<ClassView[]> {
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
  return rows.map((row) =>
    classView(
      row,
      quizzes.find((q) => q.id === row.quiz_id),
      reached.get(row.course_id) ?? 0,
    ),
  )
}

export async function loadClass(deps: CatalogDeps, orgId: string, classId: string) {
  const row = await repo.getClass(deps.db, orgId, classId)
  if (!row) throw notFound('Step')
  return row
}

export async function listClasses(
  deps: CatalogDeps,
  actor: Actor,
  filter: courseRepo.ListFilter & { courseId?: string },
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
export function classRow(
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
export async function writeQuiz(
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
    await courseRepo.updateCourse(trx, actor.orgId, course.id, { updated_at: at })
  })
  return getClass(deps, actor, id)
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
    await courseRepo.updateCourse(trx, actor.orgId, course.id, { updated_at: at })
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
  const captions = await captionRepo.listCaptions(deps.db, actor.orgId, [classId])
  await deps.db.transaction().execute(async (trx) => {
    for (const caption of captions) await captionRepo.deleteCaption(trx, actor.orgId, caption.id)
    await repo.deleteClass(trx, actor.orgId, classId)
    if (row.quiz_id) await repo.deleteQuiz(trx, actor.orgId, row.quiz_id)
    await repo.setStepOrder(trx, actor.orgId, course.id, after, at)
    await courseRepo.updateCourse(trx, actor.orgId, course.id, { updated_at: at })
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
    await courseRepo.updateCourse(trx, actor.orgId, courseId, { updated_at: at })
  })
  return listClasses(deps, actor, { courseId, limit: 1000, offset: 0 })
}
