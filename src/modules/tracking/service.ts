import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { appendEvents, EventConflictError } from '../../core/events/event-store.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { conflict, forbidden, notFound } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import type { StepContext, TrackingEvent } from './contract.ts'
import { storedEvents } from './repository.ts'

export type TrackingDeps = {
  db: Db
  clock: Clock
  identity: identity.IdentityDeps
  catalog: catalog.CatalogDeps
  progress: ProgressPort
  /** Brings the read models up to the log, so the caller sees the effect of their own event at once. */
  project: () => Promise<void>
  skipToleranceSec: number
  hearts: HeartsPort
}

/** A student's hearts (gamification): what the quiz gate needs. Null when the school has hearts off. */
type HeartsPort = {
  check(orgId: string, studentId: string): Promise<QuizHearts | null>
  /**
   * The hearts a new attempt at `at` may spend, counted from the event log through `db` (the append's
   * transaction, which holds the log still), so that concurrent attempts never spend one heart twice.
   */
  available(db: Db, orgId: string, studentId: string, at: string): Promise<QuizHearts | null>
}

/** Where students are in each step (progress, wired by the app): what the gate and the answers need. */
type ProgressPort = {
  /** A student's progress in one step; undefined before any activity there. */
  ofStep(orgId: string, studentId: string, classId: string): Promise<StepProgressRow | undefined>
  /** Progress rows of these (student, step) pairs, by `student|step`; a pair with no activity is absent. */
  ofPairs(
    orgId: string,
    pairs: { studentId: string; classId: string }[],
  ): Promise<Map<string, StepProgressRow>>
  /** For each of these students, the set of steps of the course they have completed. */
  completedSteps(orgId: string, courseId: string, studentIds: string[]): Promise<Map<string, Set<string>>>
}

/** What tracking reads of a student's progress in a step. */
export type StepProgressRow = {
  video_max_position_sec: number
  video_duration_sec: number | null
  video_completed: number
  quiz_passed: number
  quiz_attempts: number
  step_completed_at: string | null
  skip_attempts: number
}

export type QuizHearts = { hearts: number; max_hearts: number; next_heart_at: string | null }

export type Actor = MemberIdentity

const INTEGRATION_ROLES = new Set(['owner', 'admin', 'instructor'])

const namesStudent = (actor: Actor, named: string | undefined): named is string =>
  Boolean(named) && actor.via === 'token' && INTEGRATION_ROLES.has(actor.role)

/**
 * Whose learning each request is, for many requests of one school at once: the signed-in student, or — for
 * an integration token of staff — the student the request names. Never a student id taken from a browser
 * session's body. The returned function throws the refusal of a request that names nobody it may act for.
 */
export async function studentResolver(
  deps: TrackingDeps,
  orgId: string,
  asks: { actor: Actor; named?: string }[],
) {
  const [own, named] = await Promise.all([
    identity.studentsOfUsers(
      deps.identity,
      orgId,
      asks.filter((a) => !namesStudent(a.actor, a.named)).map((a) => a.actor.userId),
    ),
    identity.peopleByIds(
      deps.identity,
      orgId,
      'lms_student',
      asks.flatMap((a) => (namesStudent(a.actor, a.named) ? [a.named] : [])),
    ),
  ])
  const existing = new Set(named.map((p) => p.id))
  return (actor: Actor, studentId?: string): string => {
    if (namesStudent(actor, studentId)) {
      if (!existing.has(studentId)) throw notFound('Student')
      return studentId
    }
    const own_ = own.get(actor.userId)
    if (!own_ || actor.role !== 'student') {
      throw forbidden(
        'Only students record learning (integration tokens of staff may name a student_id)',
        'not_a_student',
      )
    }
    return own_
  }
}

export async function studentOf(deps: TrackingDeps, actor: Actor, named?: string): Promise<string> {
  return (await studentResolver(deps, actor.orgId, [{ actor, named }]))(actor, named)
}

export type Gate = { step: catalog.LearnerStep; path: catalog.LearnerPath; context: StepContext }

/**
 * The linear rule, loaded once for many (student, step) pairs of one school: a student acts only on their
 * current step — the first step of a published course they are enrolled in that they have not completed.
 * Later steps are locked, completed ones closed. The returned function throws the refusal of a pair.
 */
export async function gateJudge(
  deps: TrackingDeps,
  orgId: string,
  pairs: { studentId: string; classId: string }[],
) {
  const courseOfStep = await catalog.coursesOfSteps(
    deps.catalog,
    orgId,
    pairs.map((p) => p.classId),
  )
  const courses = new Map<
    string,
    { path: catalog.LearnerPath | null; enrolled: Set<string>; completed: Map<string, Set<string>> }
  >()
  await Promise.all(
    [...new Set(courseOfStep.values())].map(async (courseId) => {
      const students = pairs.filter((p) => courseOfStep.get(p.classId) === courseId).map((p) => p.studentId)
      const [path, enrolled, completed] = await Promise.all([
        catalog.learnerPath(deps.catalog, orgId, courseId),
        catalog.enrolledAmong(deps.catalog, orgId, courseId, students),
        deps.progress.completedSteps(orgId, courseId, students),
      ])
      courses.set(courseId, { path, enrolled, completed })
    }),
  )
  return (studentId: string, classId: string): Gate => {
    const courseId = courseOfStep.get(classId)
    if (!courseId) throw notFound('Step')
    const {
      path,
      enrolled,
      completed: completedBy,
    } = courses.get(courseId) as {
      path: catalog.LearnerPath | null
      enrolled: Set<string>
      completed: Map<string, Set<string>>
    }
    if (path?.course.status !== 'published' || !enrolled.has(studentId)) {
      throw forbidden('You are not enrolled in this course', 'not_enrolled')
    }
    const completed = completedBy.get(studentId) ?? new Set<string>()
    const step = path.steps.find((s) => s.id === classId) as catalog.LearnerStep
    const current = path.steps.find((s) => !completed.has(s.id))
    if (completed.has(classId))
      throw conflict('step_closed', 'This step is completed: the path only goes forward')
    if (current?.id !== classId) {
      throw conflict('step_locked', 'This step is locked: finish the current step first', {
        current_class_id: current?.id,
      })
    }
    const quizThreshold = step.quiz?.pass_threshold ?? path.course.quiz_pass_threshold
    return {
      step,
      path,
      context: {
        step_type: step.step_type,
        step_index: step.index,
        step_count: path.steps.length,
        duration_sec: step.video?.duration_sec ?? null,
        max_playback_rate: path.course.max_playback_rate,
        completion_threshold: path.course.video_completion_threshold,
        pass_threshold: quizThreshold,
        skip_tolerance_sec: deps.skipToleranceSec,
      },
    }
  }
}

/** The linear rule for one student and step (see `gateJudge`). */
export async function gate(
  deps: TrackingDeps,
  orgId: string,
  studentId: string,
  classId: string,
): Promise<Gate> {
  return (await gateJudge(deps, orgId, [{ studentId, classId }]))(studentId, classId)
}

export function stepProgressView(classId: string, row: StepProgressRow | undefined) {
  return {
    class_id: classId,
    video_position_sec: row ? Number(row.video_max_position_sec) : 0,
    video_duration_sec: row?.video_duration_sec === null || !row ? null : Number(row.video_duration_sec),
    video_completed: row?.video_completed === 1,
    quiz_passed: row?.quiz_passed === 1,
    quiz_attempts: row?.quiz_attempts ?? 0,
    step_completed: Boolean(row?.step_completed_at),
    skip_attempts: row?.skip_attempts ?? 0,
  }
}

/** Whether a stored event is of this type, student and step: a resend under its id, not another fact. */
export const sameSubject = (event: TrackingEvent, type: string, studentId: string, classId: string) =>
  event.type === type && event.student_id === studentId && event.class_id === classId

/** The step of an event already stored, without gating: a resent submission answers as the first did. */
export async function pathOfResent(deps: TrackingDeps, orgId: string, event: TrackingEvent): Promise<Gate> {
  const path = await catalog.learnerPath(deps.catalog, orgId, event.course_id)
  const step = path?.steps.find((s) => s.id === event.class_id)
  if (!path || !step || event.org_id !== orgId) throw notFound('Step')
  return { step, path, context: event.context }
}

/** Completes a reading step: the student says they have read it. */
export async function acknowledgeStep(
  deps: TrackingDeps,
  actor: Actor,
  input: { event_id?: string; class_id: string; student_id?: string },
) {
  const studentId = await studentOf(deps, actor, input.student_id)
  // A resent acknowledgement answers with the step's progress, even once the step has closed (that very
  // acknowledgement may have closed it): a client retrying after a lost answer gets it, not an error.
  const [resent] = input.event_id ? await storedEvents(deps.db, actor.orgId, [input.event_id]) : []
  if (resent) {
    if (!sameSubject(resent, 'STEP_ACK', studentId, input.class_id)) throw new EventConflictError(resent.id)
    return stepProgressView(
      input.class_id,
      await deps.progress.ofStep(actor.orgId, studentId, input.class_id),
    )
  }
  const { step, path, context } = await gate(deps, actor.orgId, studentId, input.class_id)
  if (step.step_type !== 'reading') throw conflict('not_a_reading', 'Only reading steps are acknowledged')
  const now = deps.clock.now().toISOString()
  await appendEvents(
    deps.db,
    [
      {
        id: input.event_id ?? newId(),
        org_id: actor.orgId,
        type: 'STEP_ACK',
        version: 1,
        student_id: studentId,
        course_id: path.course.id,
        class_id: input.class_id,
        occurred_at: now,
        payload: {},
        context,
      },
    ],
    now,
  )
  await deps.project()
  return stepProgressView(input.class_id, await deps.progress.ofStep(actor.orgId, studentId, input.class_id))
}
