import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import {
  appendEvents,
  EventConflictError,
  findEventsByIds,
  type NewEvent,
  type StoredEvent,
} from '../../core/events/event-store.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { AppError, conflict, forbidden, notFound } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import * as progress from '../progress/index.ts'
import type { QuizSubmit, StepContext, VideoPing } from './events.ts'

export type TrackingDeps = {
  db: Db
  clock: Clock
  identity: identity.IdentityDeps
  catalog: catalog.CatalogDeps
  progress: progress.ProgressDeps
  /** Brings the read models up to the log, so the caller sees the effect of their own event at once. */
  project: () => Promise<void>
  skipToleranceSec: number
}

export type Actor = MemberIdentity

const INTEGRATION_ROLES = new Set(['owner', 'admin', 'instructor'])

/**
 * Whose learning this is: the signed-in student, or — for an integration token of staff — the student
 * the request names. Never a student id taken from a browser session's body.
 */
export async function studentOf(deps: TrackingDeps, actor: Actor, named?: string): Promise<string> {
  if (named && actor.via === 'token' && INTEGRATION_ROLES.has(actor.role)) {
    const [found] = await identity.peopleByIds(deps.identity, actor.orgId, 'lms_student', [named])
    if (!found) throw notFound('Student')
    return found.id
  }
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  if (!studentId || actor.role !== 'student') {
    throw forbidden(
      'Only students record learning (integration tokens of staff may name a student_id)',
      'not_a_student',
    )
  }
  return studentId
}

type Gate = { step: catalog.LearnerStep; path: catalog.LearnerPath; context: StepContext }

/**
 * The linear rule: a student acts only on their current step — the first step of a published course they
 * are enrolled in that they have not completed. Later steps are locked, completed ones closed.
 */
export async function gate(
  deps: TrackingDeps,
  orgId: string,
  studentId: string,
  classId: string,
): Promise<Gate> {
  const courseId = await catalog.courseOfStep(deps.catalog, orgId, classId)
  if (!courseId) throw notFound('Step')
  const path = await catalog.learnerPath(deps.catalog, orgId, courseId)
  const open = path?.course.status === 'published'
  if (!path || !open || !(await catalog.isEnrolled(deps.catalog, orgId, courseId, studentId))) {
    throw forbidden('You are not enrolled in this course', 'not_enrolled')
  }
  const rows = await progress.progressInCourse(deps.progress, orgId, studentId, courseId)
  const completed = new Set(rows.filter((r) => r.step_completed_at !== null).map((r) => r.class_id))
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

async function stepProgressView(deps: TrackingDeps, orgId: string, studentId: string, classId: string) {
  const row = await progress.progressOfStep(deps.progress, orgId, studentId, classId)
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

export type PingInput = {
  event_id?: string
  class_id: string
  position: number
  duration?: number
  playback_rate?: number
  occurred_at?: string
  student_id?: string
}

export type PingResult = {
  event_id: string
  class_id: string
  status: 'accepted' | 'duplicate' | 'rejected'
  error?: { code: string; message: string }
}

/**
 * Records video pings (one, or an offline batch). Each is checked against the linear path; refused ones are
 * not stored. Accepted pings are stored before any projection runs; how much of the video they credit is
 * the projection's decision (anti-skip), not the client's.
 */
export async function recordVideoPings(deps: TrackingDeps, actor: Actor, pings: PingInput[]) {
  const now = deps.clock.now().toISOString()
  const gates = new Map<string, Promise<Gate>>()
  const students = new Map<string, Promise<string>>()
  const results: PingResult[] = []
  const events: NewEvent[] = []
  // A resent ping is a duplicate even if its step has closed since: judge it by what was stored.
  const known = new Map(
    (
      await findEventsByIds(
        deps.db,
        pings.flatMap((p) => p.event_id ?? []),
      )
    ).map((e) => [e.id, e]),
  )
  for (const ping of pings) {
    const eventId = ping.event_id ?? newId()
    const stored = known.get(eventId)
    if (stored) {
      const samePing =
        stored.org_id === actor.orgId &&
        stored.type === 'VIDEO_PING' &&
        stored.class_id === ping.class_id &&
        (stored.payload as VideoPing).position_sec === ping.position
      if (!samePing) throw new EventConflictError(eventId)
      results.push({ event_id: eventId, class_id: ping.class_id, status: 'duplicate' })
      continue
    }
    try {
      const named = ping.student_id ?? ''
      if (!students.has(named)) students.set(named, studentOf(deps, actor, ping.student_id))
      const studentId = await (students.get(named) as Promise<string>)
      const key = `${studentId}|${ping.class_id}`
      if (!gates.has(key)) gates.set(key, gate(deps, actor.orgId, studentId, ping.class_id))
      const { step, path, context } = await (gates.get(key) as Promise<Gate>)
      if (!step.video) throw conflict('no_video', 'This step has no video')
      const payload: VideoPing = {
        position_sec: ping.position,
        playback_rate: Math.min(ping.playback_rate ?? 1, path.course.max_playback_rate),
        client_duration_sec: ping.duration ?? null,
      }
      events.push({
        id: eventId,
        org_id: actor.orgId,
        type: 'VIDEO_PING',
        version: 2,
        student_id: studentId,
        course_id: path.course.id,
        class_id: ping.class_id,
        occurred_at: ping.occurred_at ?? now,
        payload,
        context,
      })
      results.push({ event_id: eventId, class_id: ping.class_id, status: 'accepted' })
    } catch (err) {
      if (!(err instanceof AppError) || pings.length === 1) throw err
      results.push({
        event_id: eventId,
        class_id: ping.class_id,
        status: 'rejected',
        error: { code: err.code, message: err.message },
      })
    }
  }
  const { duplicates } = await appendEvents(deps.db, events, now)
  for (const d of duplicates) {
    const result = results.find((r) => r.event_id === d.id)
    if (result) result.status = 'duplicate'
  }
  await deps.project()
  const touched = [...new Set(events.map((e) => `${e.student_id}|${e.class_id}`))]
  const progressViews = await Promise.all(
    touched.map((key) => {
      const [studentId, classId] = key.split('|') as [string, string]
      return stepProgressView(deps, actor.orgId, studentId, classId)
    }),
  )
  return { results, progress: progressViews }
}

/** The step of an event already stored, without gating: a resent submission answers as the first did. */
async function pathOfResent(deps: TrackingDeps, orgId: string, event: StoredEvent): Promise<Gate> {
  const path = await catalog.learnerPath(deps.catalog, orgId, event.course_id)
  const step = path?.steps.find((s) => s.id === event.class_id)
  if (!path || !step || event.org_id !== orgId) throw notFound('Step')
  return { step, path, context: event.context as StepContext }
}

export type QuizResultView = {
  event_id: string
  score: number
  max_score: number
  ratio: number
  passed: boolean
  pass_threshold: number
  attempts: number
  results: (catalog.QuizGrade['results'][number] & { skills: string[] })[]
}

function quizView(
  event: StoredEvent,
  grade: catalog.QuizGrade,
  threshold: number,
  attempts: number,
): QuizResultView {
  const quiz = event.payload as QuizSubmit
  return {
    event_id: event.id,
    score: quiz.score,
    max_score: quiz.max_score,
    ratio: quiz.ratio,
    passed: quiz.passed,
    pass_threshold: threshold,
    attempts,
    results: grade.results.map((r) => ({
      ...r,
      skills: quiz.results.find((q) => q.question_id === r.question_id)?.skills ?? [],
    })),
  }
}

/**
 * Grades a native quiz on the server (a score sent by the client is never read), stores the attempt, and
 * answers with the score and per-question feedback. Resending the same event id returns the same result.
 */
export async function submitQuiz(
  deps: TrackingDeps,
  actor: Actor,
  input: { event_id?: string; class_id: string; answers: Record<string, unknown>; student_id?: string },
): Promise<QuizResultView> {
  const studentId = await studentOf(deps, actor, input.student_id)
  const [resent] = input.event_id ? await findEventsByIds(deps.db, [input.event_id]) : []
  const { step, path, context } = resent
    ? await pathOfResent(deps, actor.orgId, resent)
    : await gate(deps, actor.orgId, studentId, input.class_id)
  if (!step.quiz) throw conflict('no_quiz', 'This step has no quiz')
  if (step.quiz.kind === 'tally') throw conflict('tally_quiz', 'This quiz is answered in its Tally form')
  if (step.step_type === 'video_quiz' && !resent) {
    const row = await progress.progressOfStep(deps.progress, actor.orgId, studentId, input.class_id)
    if (row?.video_completed !== 1)
      throw conflict('video_first', 'Watch the video of this step before the quiz')
  }
  const questions = step.quiz.questions
  const grade = catalog.gradeQuiz(questions, input.answers)
  const payload: QuizSubmit = {
    source: 'native',
    score: grade.score,
    max_score: grade.max_score,
    ratio: grade.ratio,
    passed: grade.ratio >= context.pass_threshold - 1e-9,
    results: grade.results.map((r) => ({
      question_id: r.question_id,
      correct: r.correct,
      points: r.points,
      points_awarded: r.points_awarded,
      skills: questions.find((q) => q.id === r.question_id)?.skills ?? [],
    })),
    answers: input.answers,
  }
  const event: NewEvent = {
    id: input.event_id ?? newId(),
    org_id: actor.orgId,
    type: 'QUIZ_SUBMIT',
    version: 1,
    student_id: studentId,
    course_id: path.course.id,
    class_id: input.class_id,
    occurred_at: deps.clock.now().toISOString(),
    payload,
    context,
  }
  const { appended, duplicates } = await appendEvents(deps.db, [event], deps.clock.now().toISOString())
  await deps.project()
  const stored = (appended[0] ?? duplicates[0]) as StoredEvent
  const row = await progress.progressOfStep(deps.progress, actor.orgId, studentId, input.class_id)
  return quizView(stored, grade, context.pass_threshold, row?.quiz_attempts ?? 1)
}

/** Completes a reading step: the student says they have read it. */
export async function acknowledgeStep(
  deps: TrackingDeps,
  actor: Actor,
  input: { event_id?: string; class_id: string; student_id?: string },
) {
  const studentId = await studentOf(deps, actor, input.student_id)
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
  return stepProgressView(deps, actor.orgId, studentId, input.class_id)
}
