import type { Db } from '../../core/db/database.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { forbidden, notFound } from '../../core/http/errors.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import * as repo from './repository.ts'
import { signalId } from './rules/evolve.ts'
import type { LearnerGamification } from './schemas.ts'
import { type SignalType, signalTypes } from './tables.ts'

export type ProgressDeps = { db: Db }

/**
 * Where students are, as other modules ask it through the ports the app wires: the catalog (steps reached,
 * courses completed) and tracking (a step's progress, the steps completed).
 */
export function progressPort(deps: ProgressDeps) {
  return {
    reachedStepCount: (orgId: string, courseId: string) => repo.reachedStepCount(deps.db, orgId, courseId),
    hasCompletedCourse: (orgId: string, courseId: string, studentId: string) =>
      repo.hasSignal(deps.db, orgId, signalId('COURSE_COMPLETED', studentId, courseId)),
    ofStep: (orgId: string, studentId: string, classId: string) =>
      progressOfStep(deps, orgId, studentId, classId),
    ofPairs: (orgId: string, pairs: { studentId: string; classId: string }[]) =>
      progressOfPairs(deps, orgId, pairs),
    completedSteps: (orgId: string, courseId: string, studentIds: string[]) =>
      completedStepsOf(deps, orgId, courseId, studentIds),
  }
}

/** Per student, the count of each signal type, with every type present (zero when none). */
export async function signalSummary(deps: ProgressDeps, orgId: string) {
  const rows = await repo.signalSummary(deps.db, orgId)
  const byStudent = new Map<string, Record<SignalType, number>>()
  for (const row of rows) {
    const counts =
      byStudent.get(row.student_id) ??
      (Object.fromEntries(signalTypes.map((t) => [t, 0])) as Record<SignalType, number>)
    counts[row.type] = row.count
    byStudent.set(row.student_id, counts)
  }
  return [...byStudent].map(([student_id, counts]) => ({ student_id, ...counts }))
}

async function progressOfStep(deps: ProgressDeps, orgId: string, studentId: string, classId: string) {
  return repo.progressOfStep(deps.db, orgId, studentId, classId)
}

/** For each of these students, the set of steps of the course they have completed. */
async function completedStepsOf(deps: ProgressDeps, orgId: string, courseId: string, studentIds: string[]) {
  const rows = await repo.completedStepsIn(deps.db, orgId, courseId, [...new Set(studentIds)])
  const byStudent = new Map<string, Set<string>>()
  for (const row of rows) {
    const steps = byStudent.get(row.student_id) ?? new Set<string>()
    steps.add(row.class_id)
    byStudent.set(row.student_id, steps)
  }
  return byStudent
}

/** Progress rows for these (student, step) pairs, by `student|step`; a pair with no activity is absent. */
async function progressOfPairs(
  deps: ProgressDeps,
  orgId: string,
  pairs: { studentId: string; classId: string }[],
) {
  const rows = await repo.progressOfSteps(
    deps.db,
    orgId,
    [...new Set(pairs.map((p) => p.studentId))],
    [...new Set(pairs.map((p) => p.classId))],
  )
  return new Map(rows.map((r) => [`${r.student_id}|${r.class_id}`, r]))
}

// What a student sees of their courses (the linear player and the learner summary)

export type LearnerDeps = ProgressDeps & {
  catalog: catalog.CatalogDeps
  identity: identity.IdentityDeps
  /** XP, badges, streak and hearts of a student (gamification, wired by the app). */
  gamification?: (orgId: string, studentId: string) => Promise<LearnerGamification>
  /** The student's hearts now, or null when the school has hearts off (gamification, wired by the app). */
  hearts?: (orgId: string, studentId: string) => Promise<StudentHearts | null>
}

type StudentHearts = { hearts: number; max_hearts: number; next_heart_at: string | null }

type ProgressRow = Awaited<ReturnType<typeof repo.progressInCourse>>[number]

function stepProgressOf(row: ProgressRow | undefined) {
  return {
    video_position_sec: row ? Number(row.video_max_position_sec) : 0,
    video_completed: row?.video_completed === 1,
    quiz_passed: row?.quiz_passed === 1,
    quiz_best_ratio: row?.quiz_best_ratio === null || !row ? null : Number(row.quiz_best_ratio),
    quiz_attempts: row?.quiz_attempts ?? 0,
    completed_at: row?.step_completed_at ?? null,
  }
}

/** The current step's content; its quiz questions in the order drawn for the student's next attempt. */
async function studentContent(
  deps: LearnerDeps,
  orgId: string,
  path: catalog.LearnerPath,
  step: catalog.LearnerStep,
  studentId: string,
  attemptsSoFar: number,
) {
  // The score the quiz gate will ask for: the quiz's own, else the course's default.
  const passThreshold = step.quiz?.pass_threshold ?? path.course.quiz_pass_threshold
  const quiz = !step.quiz
    ? null
    : step.quiz.kind === 'native'
      ? {
          kind: 'native' as const,
          pass_threshold: passThreshold,
          reveal_answers: step.quiz.reveal_answers,
          question_display: step.quiz.question_display,
          questions: catalog.questionsForStudent(
            step.quiz.questions,
            `${studentId}:${step.id}`,
            attemptsSoFar + 1,
          ),
        }
      : {
          kind: 'tally' as const,
          pass_threshold: passThreshold,
          form_id: step.quiz.tally.form_id,
          hidden_fields: {
            [step.quiz.tally.student_field]: step.quiz.tally.signing_secret
              ? await catalog.tallyStudentToken(step.quiz.tally.signing_secret, studentId, step.id)
              : studentId,
            [step.quiz.tally.class_field]: step.id,
          },
        }
  return {
    description: step.description,
    content_md: step.step_type === 'reading' ? step.content_md : null,
    video: step.video ? await catalog.playbackOf(deps.catalog, step.video) : null,
    captions: step.video
      ? ((await catalog.captionsOfSteps(deps.catalog, orgId, [step.id])).get(step.id) ?? []).map(
          ({ language, label, url }) => ({ language, label, url }),
        )
      : [],
    quiz,
  }
}

async function studentIdOf(deps: LearnerDeps, actor: MemberIdentity) {
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  if (!studentId) throw forbidden('This view is for students', 'not_a_student')
  return studentId
}

/**
 * One course as its student takes it: every step with its state (completed, current, locked), the content
 * of the current step only (no answer key), and the handout with what is available now.
 */
export async function courseForStudent(deps: LearnerDeps, actor: MemberIdentity, courseId: string) {
  const studentId = await studentIdOf(deps, actor)
  const path = await catalog.learnerPath(deps.catalog, actor.orgId, courseId)
  const enrolled = path && path.course.status !== 'draft'
  if (!enrolled || !(await catalog.isEnrolled(deps.catalog, actor.orgId, courseId, studentId)))
    throw notFound('Course')
  const rows = await repo.progressInCourse(deps.db, actor.orgId, studentId, courseId)
  const byClass = new Map(rows.map((r) => [r.class_id, r]))
  const current = path.steps.find((s) => !byClass.get(s.id)?.step_completed_at)
  const steps = []
  for (const step of path.steps) {
    const row = byClass.get(step.id)
    const state: 'completed' | 'current' | 'locked' = row?.step_completed_at
      ? 'completed'
      : step.id === current?.id
        ? 'current'
        : 'locked'
    steps.push({
      id: step.id,
      name: step.name,
      step_type: step.step_type,
      index: step.index,
      state,
      progress: state === 'locked' ? null : stepProgressOf(row),
      content:
        state === 'current'
          ? await studentContent(deps, actor.orgId, path, step, studentId, row?.quiz_attempts ?? 0)
          : null,
    })
  }
  const completedCount = steps.filter((s) => s.state === 'completed').length
  return {
    course: {
      id: path.course.id,
      name: path.course.name,
      description: path.course.description,
      status: path.course.status,
      max_playback_rate: path.course.max_playback_rate,
      allow_video_download: path.course.allow_video_download === 1,
    },
    progress: {
      completed_steps: completedCount,
      total_steps: steps.length,
      ratio: steps.length === 0 ? 0 : completedCount / steps.length,
      completed: steps.length > 0 && completedCount === steps.length,
      current_class_id: current?.id ?? null,
    },
    steps,
    kms: await catalog.listKms(deps.catalog, actor, courseId),
    hearts: deps.hearts ? await deps.hearts(actor.orgId, studentId) : null,
  }
}

/** A student's courses with their progress (seed 003's learner summary). */
/** Each course the student is enrolled in: progress, the current step, and the quiz scores so far. */
export async function learnerCourses(
  deps: ProgressDeps & { catalog: catalog.CatalogDeps },
  orgId: string,
  studentId: string,
) {
  const courses = await catalog.coursesOfStudent(deps.catalog, orgId, studentId)
  const result = []
  for (const course of courses) {
    const path = await catalog.learnerPath(deps.catalog, orgId, course.id)
    if (!path) continue
    const rows = await repo.progressInCourse(deps.db, orgId, studentId, course.id)
    const done = new Set(rows.filter((r) => r.step_completed_at).map((r) => r.class_id))
    const current = path.steps.find((s) => !done.has(s.id))
    result.push({
      course_id: course.id,
      name: course.name,
      status: course.status,
      completed_steps: done.size,
      total_steps: path.steps.length,
      ratio: path.steps.length === 0 ? 0 : done.size / path.steps.length,
      completed: path.steps.length > 0 && done.size === path.steps.length,
      current_step: current
        ? { class_id: current.id, name: current.name, step_type: current.step_type }
        : null,
      quiz_scores: rows
        .filter((r) => r.quiz_attempts > 0)
        .map((r) => ({
          class_id: r.class_id,
          best_ratio: Number(r.quiz_best_ratio),
          score: Number(r.quiz_score),
          max_score: Number(r.quiz_max_score),
          attempts: r.quiz_attempts,
          passed: r.quiz_passed === 1,
        })),
    })
  }
  return result
}

async function learnerSummary(deps: LearnerDeps, orgId: string, studentId: string) {
  const [courses, gamification] = await Promise.all([
    learnerCourses(deps, orgId, studentId),
    deps.gamification ? deps.gamification(orgId, studentId) : null,
  ])
  return { student_id: studentId, gamification, courses }
}

/**
 * Resolves `userId` (a student id or a user id) to a student of the organisation that the caller may see:
 * the student themselves, or staff of the same school.
 */
export async function learnerFor(deps: LearnerDeps, actor: MemberIdentity, requested: string | undefined) {
  const own = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  if (!requested || requested === actor.userId || requested === own.studentId) {
    if (!own.studentId) throw forbidden('This view is for students', 'not_a_student')
    return learnerSummary(deps, actor.orgId, own.studentId)
  }
  if (actor.role === 'student') throw notFound('Learner')
  const [byStudentId] = await identity.peopleByIds(deps.identity, actor.orgId, 'lms_student', [requested])
  const studentId =
    byStudentId?.id ?? (await identity.profilesOfUser(deps.identity, actor.orgId, requested)).studentId
  if (!studentId) throw notFound('Learner')
  return learnerSummary(deps, actor.orgId, studentId)
}

/**
 * Where every student (or one) is on the steps of these courses: one entry per step they have acted on
 * (dashboards).
 */
export async function progressOfCourses(
  deps: ProgressDeps,
  orgId: string,
  courseIds: string[],
  studentId?: string,
) {
  const rows = await repo.progressInCourses(deps.db, orgId, [...new Set(courseIds)], studentId)
  return rows.map((r) => ({
    student_id: r.student_id,
    course_id: r.course_id,
    class_id: r.class_id,
    quiz_passed: r.quiz_passed === 1,
    quiz_attempts: Number(r.quiz_attempts),
    quiz_best_ratio: r.quiz_best_ratio === null ? null : Number(r.quiz_best_ratio),
    quiz_score: r.quiz_score === null ? null : Number(r.quiz_score),
    quiz_max_score: r.quiz_max_score === null ? null : Number(r.quiz_max_score),
    quiz_last_attempt_at: r.quiz_last_attempt_at,
    step_completed_at: r.step_completed_at,
  }))
}

export type CourseProgressEntry = Awaited<ReturnType<typeof progressOfCourses>>[number]

/**
 * When a student started and completed each step they have acted on. Started is the earliest activity the
 * progress projection dates: first video ping, first quiz attempt, acknowledgement, or completion.
 */
export async function stepActivityOf(deps: ProgressDeps, orgId: string, studentId: string) {
  const [rows, firstAttempts] = await Promise.all([
    repo.activityOfStudent(deps.db, orgId, studentId),
    repo.firstQuizAttemptsOf(deps.db, orgId, studentId),
  ])
  return rows.map((r) => {
    const times = [
      r.video_started_at,
      firstAttempts.get(r.class_id) ?? r.quiz_last_attempt_at,
      r.acknowledged_at,
      r.step_completed_at,
    ].filter((t): t is string => t !== null)
    return {
      course_id: r.course_id,
      class_id: r.class_id,
      started_at: times.length > 0 ? times.reduce((a, b) => (a < b ? a : b)) : null,
      completed_at: r.step_completed_at,
    }
  })
}
