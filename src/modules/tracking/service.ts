import { createBatchQueue } from '../../core/batch-queue.ts'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import {
  appendEvents,
  decodeEvent,
  EventConflictError,
  type NewEvent,
  type StoredEvent,
  sameFact,
} from '../../core/events/event-store.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { AppError, conflict, forbidden, notFound } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import {
  type QuizSubmit,
  type StepContext,
  type TrackingEvent,
  trackingEvents,
  type VideoPing,
} from './contract.ts'
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

type QuizHearts = { hearts: number; max_hearts: number; next_heart_at: string | null }

export type Actor = MemberIdentity

const INTEGRATION_ROLES = new Set(['owner', 'admin', 'instructor'])

const namesStudent = (actor: Actor, named: string | undefined): named is string =>
  Boolean(named) && actor.via === 'token' && INTEGRATION_ROLES.has(actor.role)

/**
 * Whose learning each request is, for many requests of one school at once: the signed-in student, or — for
 * an integration token of staff — the student the request names. Never a student id taken from a browser
 * session's body. The returned function throws the refusal of a request that names nobody it may act for.
 */
async function studentResolver(deps: TrackingDeps, orgId: string, asks: { actor: Actor; named?: string }[]) {
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

async function studentOf(deps: TrackingDeps, actor: Actor, named?: string): Promise<string> {
  return (await studentResolver(deps, actor.orgId, [{ actor, named }]))(actor, named)
}

type Gate = { step: catalog.LearnerStep; path: catalog.LearnerPath; context: StepContext }

/**
 * The linear rule, loaded once for many (student, step) pairs of one school: a student acts only on their
 * current step — the first step of a published course they are enrolled in that they have not completed.
 * Later steps are locked, completed ones closed. The returned function throws the refusal of a pair.
 */
async function gateJudge(deps: TrackingDeps, orgId: string, pairs: { studentId: string; classId: string }[]) {
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

function stepProgressView(classId: string, row: StepProgressRow | undefined) {
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

type PingResult = {
  event_id: string
  class_id: string
  status: 'accepted' | 'duplicate' | 'rejected'
  error?: { code: string; message: string }
}

type PingRequest = { actor: Actor; pings: PingInput[] }
type PingsRecorded = { results: PingResult[]; progress: ReturnType<typeof stepProgressView>[] }
/** A request being judged: its answers so far and the events it will append. */
type PingDraft = { request: PingRequest; results: PingResult[]; events: NewEvent[] }

const samePingInput = (a: PingInput, b: PingInput) =>
  a.class_id === b.class_id &&
  a.position === b.position &&
  a.duration === b.duration &&
  a.playback_rate === b.playback_rate &&
  a.student_id === b.student_id

/**
 * Judges the pings of one school's requests against the linear path, with the path, enrolments and
 * progress loaded once for all of them. A refused single ping refuses its request; in a batch each ping
 * gets its own result.
 */
async function judgePings(
  deps: TrackingDeps,
  orgId: string,
  requests: PingRequest[],
  known: Map<string, TrackingEvent>,
  now: string,
): Promise<(PingDraft | Error)[]> {
  const fresh = (p: PingInput) => !(p.event_id && known.has(p.event_id))
  const resolve = await studentResolver(
    deps,
    orgId,
    requests.flatMap((r) => r.pings.filter(fresh).map((p) => ({ actor: r.actor, named: p.student_id }))),
  )
  const studentOfPing = new Map<PingInput, string | AppError>()
  for (const { actor, pings } of requests) {
    for (const ping of pings.filter(fresh)) {
      try {
        studentOfPing.set(ping, resolve(actor, ping.student_id))
      } catch (err) {
        if (!(err instanceof AppError)) throw err
        studentOfPing.set(ping, err)
      }
    }
  }
  const judge = await gateJudge(
    deps,
    orgId,
    [...studentOfPing].flatMap(([ping, student]) =>
      typeof student === 'string' ? [{ studentId: student, classId: ping.class_id }] : [],
    ),
  )
  return requests.map((request) => {
    const { actor, pings } = request
    const draft: PingDraft = { request, results: [], events: [] }
    const earlier = new Map<string, PingInput>()
    try {
      for (const ping of pings) {
        const eventId = ping.event_id ?? newId()
        // One id twice in a batch: a repeat is a duplicate, another ping under it refuses the batch, as a
        // clash with a stored event does.
        const repeated = earlier.get(eventId)
        if (repeated) {
          if (!samePingInput(repeated, ping)) throw new EventConflictError(eventId)
          draft.results.push({ event_id: eventId, class_id: ping.class_id, status: 'duplicate' })
          continue
        }
        earlier.set(eventId, ping)
        // A resent ping is a duplicate even if its step has closed since: judge it by what was stored.
        const stored = known.get(eventId)
        if (stored) {
          const samePing =
            stored.org_id === orgId &&
            stored.type === 'VIDEO_PING' &&
            stored.class_id === ping.class_id &&
            stored.payload.position_sec === ping.position
          if (!samePing) throw new EventConflictError(eventId)
          draft.results.push({ event_id: eventId, class_id: ping.class_id, status: 'duplicate' })
          continue
        }
        try {
          const studentId = studentOfPing.get(ping)
          if (typeof studentId !== 'string') throw studentId
          const { step, path, context } = judge(studentId, ping.class_id)
          if (!step.video) throw conflict('no_video', 'This step has no video')
          const payload: VideoPing = {
            position_sec: ping.position,
            playback_rate: Math.min(ping.playback_rate ?? 1, path.course.max_playback_rate),
            client_duration_sec: ping.duration ?? null,
          }
          draft.events.push({
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
          draft.results.push({ event_id: eventId, class_id: ping.class_id, status: 'accepted' })
        } catch (err) {
          if (!(err instanceof AppError) || pings.length === 1) throw err
          draft.results.push({
            event_id: eventId,
            class_id: ping.class_id,
            status: 'rejected',
            error: { code: err.code, message: err.message },
          })
        }
      }
      return draft
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err))
    }
  })
}

/**
 * Records the pings of concurrent requests together (group commit): judged with shared lookups, appended
 * in one transaction, projected once, so that many players cost about what one does. Accepted pings are
 * stored before any projection runs; how much of the video they credit is the projection's decision
 * (anti-skip), not the client's.
 */
async function recordPingGroup(deps: TrackingDeps, requests: PingRequest[]) {
  const now = deps.clock.now().toISOString()
  const orgs = [...new Set(requests.map((r) => r.actor.orgId))]
  const judged = new Map<PingRequest, PingDraft | Error>()
  for (const orgId of orgs) {
    const ofOrg = requests.filter((r) => r.actor.orgId === orgId)
    const ids = ofOrg.flatMap((r) => r.pings.flatMap((p) => p.event_id ?? []))
    const known = new Map((await storedEvents(deps.db, orgId, ids)).map((e) => [e.id, e]))
    const drafts = await judgePings(deps, orgId, ofOrg, known, now)
    for (const [i, r] of ofOrg.entries()) judged.set(r, drafts[i] as PingDraft | Error)
  }
  // The same event id twice in the group (a player resending while its first request is in flight).
  const inGroup = new Map<string, NewEvent>()
  const keyOf = (e: NewEvent) => `${e.org_id}|${e.id}`
  for (const [request, draft] of judged) {
    if (draft instanceof Error) continue
    const conflicting = draft.events.find(
      (e) => inGroup.has(keyOf(e)) && !sameFact(inGroup.get(keyOf(e)) as NewEvent, e),
    )
    if (conflicting) {
      judged.set(request, new EventConflictError(conflicting.id))
      continue
    }
    draft.events = draft.events.filter((event) => {
      if (!inGroup.has(keyOf(event))) {
        inGroup.set(keyOf(event), event)
        return true
      }
      const result = draft.results.find((r) => r.event_id === event.id)
      if (result) result.status = 'duplicate'
      return false
    })
  }
  const drafts = [...judged.values()].filter((d): d is PingDraft => !(d instanceof Error))
  const duplicates = new Set<string>()
  try {
    const appended = await appendEvents(
      deps.db,
      drafts.flatMap((d) => d.events),
      now,
    )
    for (const d of appended.duplicates) duplicates.add(keyOf(d))
  } catch (err) {
    if (drafts.length <= 1) throw err
    // One request's events clash with a write made meanwhile elsewhere: append each request on its own,
    // so the clash refuses that request alone.
    for (const draft of drafts) {
      try {
        const appended = await appendEvents(deps.db, draft.events, now)
        for (const d of appended.duplicates) duplicates.add(keyOf(d))
      } catch (own) {
        judged.set(draft.request, own instanceof Error ? own : new Error(String(own)))
      }
    }
  }
  await deps.project()
  const views = new Map<string, StepProgressRow>()
  for (const orgId of orgs) {
    const pairs = drafts
      .filter((d) => d.request.actor.orgId === orgId && judged.get(d.request) === d)
      .flatMap((d) => d.events.map((e) => ({ studentId: e.student_id, classId: e.class_id as string })))
    for (const [key, row] of await deps.progress.ofPairs(orgId, pairs)) views.set(key, row)
  }
  return requests.map((request): PingsRecorded | Error => {
    const draft = judged.get(request) as PingDraft | Error
    if (draft instanceof Error) return draft
    for (const result of draft.results) {
      if (duplicates.has(`${request.actor.orgId}|${result.event_id}`)) result.status = 'duplicate'
    }
    const touched = [...new Set(draft.events.map((e) => `${e.student_id}|${e.class_id}`))]
    return {
      results: draft.results,
      progress: touched.map((key) => stepProgressView(key.split('|')[1] as string, views.get(key))),
    }
  })
}

/** Records video pings (one, or an offline batch), grouped with the other requests in flight. */
export function pingRecorder(deps: TrackingDeps) {
  const queue = createBatchQueue((requests: PingRequest[]) => recordPingGroup(deps, requests))
  return (actor: Actor, pings: PingInput[]) => queue.submit({ actor, pings })
}

/** Whether a stored event is of this type, student and step: a resend under its id, not another fact. */
const sameSubject = (event: TrackingEvent, type: string, studentId: string, classId: string) =>
  event.type === type && event.student_id === studentId && event.class_id === classId

/** The step of an event already stored, without gating: a resent submission answers as the first did. */
async function pathOfResent(deps: TrackingDeps, orgId: string, event: TrackingEvent): Promise<Gate> {
  const path = await catalog.learnerPath(deps.catalog, orgId, event.course_id)
  const step = path?.steps.find((s) => s.id === event.class_id)
  if (!path || !step || event.org_id !== orgId) throw notFound('Step')
  return { step, path, context: event.context }
}

export type QuizResultView = {
  event_id: string
  score: number
  max_score: number
  ratio: number
  passed: boolean
  pass_threshold: number
  attempts: number
  /** The quiz's rule for its answer key, and whether this answer shows it (a passed attempt, unless never). */
  reveal_answers: catalog.RevealAnswers
  answers_revealed: boolean
  results: (catalog.QuestionFeedback & { skills: string[] })[]
  /** The student's hearts after this attempt; null when the school has hearts off. */
  hearts: QuizHearts | null
}

/**
 * The answer to an attempt, from the stored event (a resent submission answers as the first did). The answer
 * key and the explanations go only with a passed attempt, so a failed one never gives the answers away.
 */
function quizView(
  event: TrackingEvent,
  quiz: { reveal_answers: catalog.RevealAnswers; questions: catalog.Question[] },
  threshold: number,
  attempts: number,
  hearts: QuizHearts | null,
): QuizResultView {
  if (event.type !== 'QUIZ_SUBMIT') throw new Error(`event ${event.id} is not a quiz attempt`)
  const attempt = event.payload
  const revealed = catalog.revealsAnswers(quiz.reveal_answers, attempt.passed)
  const skillsOf = new Map(attempt.results.map((r) => [r.question_id, r.skills]))
  return {
    event_id: event.id,
    score: attempt.score,
    max_score: attempt.max_score,
    ratio: attempt.ratio,
    passed: attempt.passed,
    pass_threshold: threshold,
    attempts,
    reveal_answers: quiz.reveal_answers,
    answers_revealed: revealed,
    results: catalog
      .feedbackOf(quiz.questions, attempt.results, revealed)
      .map((r) => ({ ...r, skills: skillsOf.get(r.question_id) ?? [] })),
    hearts,
  }
}

/**
 * Grades a native quiz on the server (a score sent by the client is never read), stores the attempt, and
 * answers with the score, per-question feedback and the hearts left. Resending the same event id returns
 * the same result. A student out of hearts cannot attempt a quiz until one comes back.
 */
export async function submitQuiz(
  deps: TrackingDeps,
  actor: Actor,
  input: { event_id?: string; class_id: string; answers: Record<string, unknown>; student_id?: string },
): Promise<QuizResultView> {
  const studentId = await studentOf(deps, actor, input.student_id)
  const [resent] = input.event_id ? await storedEvents(deps.db, actor.orgId, [input.event_id]) : []
  if (resent && !sameSubject(resent, 'QUIZ_SUBMIT', studentId, input.class_id)) {
    throw new EventConflictError(resent.id)
  }
  const { step, path, context } = resent
    ? await pathOfResent(deps, actor.orgId, resent)
    : await gate(deps, actor.orgId, studentId, input.class_id)
  if (!step.quiz) throw conflict('no_quiz', 'This step has no quiz')
  if (step.quiz.kind === 'tally') throw conflict('tally_quiz', 'This quiz is answered in its Tally form')
  if (step.step_type === 'video_quiz' && !resent) {
    const row = await deps.progress.ofStep(actor.orgId, studentId, input.class_id)
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
  const now = deps.clock.now().toISOString()
  // The hearts are counted and the attempt stored under one lock of the log: two attempts sent together
  // cannot both spend the last heart. A resent attempt was already paid for: the guard skips it.
  const { appended, duplicates } = await appendEvents(deps.db, [event], now, {
    guard: async (trx) => {
      const hearts = await deps.hearts.available(trx, actor.orgId, studentId, now)
      if (hearts?.hearts === 0) {
        throw conflict('no_hearts', 'You have no hearts left: try the quiz again when one comes back', {
          next_heart_at: hearts.next_heart_at,
        })
      }
    },
  })
  await deps.project()
  const stored = decodeEvent(trackingEvents, (appended[0] ?? duplicates[0]) as StoredEvent)
  const [row, hearts] = await Promise.all([
    deps.progress.ofStep(actor.orgId, studentId, input.class_id),
    deps.hearts.check(actor.orgId, studentId),
  ])
  return quizView(stored, step.quiz, context.pass_threshold, row?.quiz_attempts ?? 1, hearts)
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
