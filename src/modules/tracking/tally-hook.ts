import type { Db } from '../../core/db/database.ts'
import {
  appendEvents,
  decodeEvent,
  EventConflictError,
  type NewEvent,
  type StoredEvent,
} from '../../core/events/event-store.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { AppError, conflict, unauthorized } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import { type QuizSubmit, type TrackingEvent, trackingEvents } from './contract.ts'
import * as repo from './repository.ts'
import {
  answersOf,
  choiceTextsOf,
  hiddenField,
  hiddenValues,
  isSignedBy,
  readScore,
  type TallyField,
} from './rules/tally.ts'
import { gate, type TrackingDeps } from './service.ts'

// Tally FORM_RESPONSE webhooks: a response to a step's Tally form becomes a QUIZ_SUBMIT event.
//
// Tally retries a delivery until it gets a 2xx, so each outcome is chosen for what a retry would do:
// - 401, bad or missing signature: the body is not stored (anyone can call this URL). The schools whose
//   steps use the form see a short record of it in tally_rejections (form, reason, size, the start of the
//   body), rate-limited per sender and capped per school. Retries succeed once the secret is corrected.
// - 422, the response cannot be mapped (unknown form, missing hidden field, unknown student, bad score):
//   kept in tally_inbox for staff when a step's secret authenticates it, and refused so that Tally retries
//   once the mapping is fixed. Retries update the same inbox row. A response to a form no step uses, that
//   no step's secret signed, is kept nowhere: Tally's own log of the delivery shows Sillon's answer.
// - 200 `refused`, the response is authentic and mapped but the path refuses it (not enrolled, course not
//   published, step locked or already completed, video not watched): kept in tally_inbox and acknowledged.
//   The path is judged when the response arrives: a retry hours later must not credit a quiz taken out of
//   order, and a completed step never reopens, so retrying could only do harm or nothing.
// - 200 `accepted` / `duplicate`: recorded once, keyed by Tally's eventId (`tally:<eventId>`).

type TallyWebhook = {
  eventId: string
  eventType: string
  data: { formId: string; fields: TallyField[] }
}

export type TallyHookResult = {
  status: 'accepted' | 'duplicate' | 'refused' | 'ignored'
  event_id?: string
  class_id?: string
  score?: number
  max_score?: number
  ratio?: number
  passed?: boolean
  pass_threshold?: number
  step_completed?: boolean
  error?: { code: string; message: string }
}

type Delivery = {
  raw: string
  signature: string | undefined
  body: TallyWebhook
  /** The sender's address, which rate-limits the records of rejected deliveries. */
  source?: string
}

/** Rejected deliveries recorded per sender address and minute; the rest are answered, not recorded. */
const TALLY_REJECTIONS_PER_MINUTE = 20
/** Rejected deliveries kept per school (the newest), and for all schools together. */
const TALLY_REJECTIONS_KEPT = 100
const TALLY_REJECTIONS_KEPT_IN_ALL = 10_000
/** Rejected deliveries are forgotten after this many days. */
const TALLY_REJECTION_RETENTION_DAYS = 30
const EXCERPT_CHARS = 300

const eventIdOf = (tallyEventId: string) => `tally:${tallyEventId}`

/** The steps among these whose own signing secret signed the body; steps without a secret never match. */
async function signedBy(steps: catalog.TallyStep[], delivery: Delivery) {
  const { signature } = delivery
  if (!signature) return []
  const verdicts = await Promise.all(
    steps.map((s) =>
      s.tally.signing_secret ? isSignedBy(delivery.raw, signature, s.tally.signing_secret) : false,
    ),
  )
  return steps.filter((_, i) => verdicts[i])
}

async function keep(deps: TrackingDeps, orgIds: string[], delivery: Delivery, error: AppError) {
  for (const orgId of new Set(orgIds)) {
    await repo.keepInTallyInbox(deps.db, orgId, {
      form_id: delivery.body.data.formId,
      tally_event_id: delivery.body.eventId,
      code: error.code,
      reason: error.message,
      payload_json: delivery.raw,
      received_at: deps.clock.now().toISOString(),
    })
  }
}

/** Keeps the response in the inbox of these schools (or of none), then refuses it with 422. */
async function unmappable(
  deps: TrackingDeps,
  orgIds: string[],
  delivery: Delivery,
  code: string,
  message: string,
): Promise<never> {
  const error = new AppError(422, code, message)
  await keep(deps, orgIds, delivery, error)
  throw error
}

/**
 * No step uses this form. When a hidden field names a Tally step whose own secret signed the response, the
 * school set the webhook up on another form than its step names: keep it where that school sees it.
 * Otherwise nothing proves who sent it, and no school could be shown it: it is not kept.
 */
async function unknownForm(deps: TrackingDeps, delivery: Delivery): Promise<never> {
  const { formId, fields } = delivery.body.data
  const named = await catalog.tallyStepsAmong(deps.catalog, hiddenValues(fields))
  const owners = await signedBy(named, delivery)
  const [owner] = owners
  if (!owner) return unmappable(deps, [], delivery, 'tally_unknown_form', `No step uses Tally form ${formId}`)
  return unmappable(
    deps,
    owners.map((o) => o.org_id),
    delivery,
    'tally_unknown_form',
    `No step uses Tally form ${formId}; step ${owner.class_id} names form ${owner.tally.form_id}`,
  )
}

/** Which of the form's (authenticated) steps the response is for: the one its class hidden field names. */
function pickStep(
  steps: catalog.TallyStep[],
  fields: TallyField[],
): { step: catalog.TallyStep } | { code: string; message: string } {
  const named = steps.find((s) => hiddenField(fields, s.tally.class_field) === s.class_id)
  if (named) return { step: named }
  const [only] = steps
  const unnamed = steps.every((s) => hiddenField(fields, s.tally.class_field) === undefined)
  // A form used by one step only does not need to name it.
  if (only && unnamed && steps.length === 1) return { step: only }
  if (only && unnamed) {
    const message = `The hidden field "${only.tally.class_field}" (the step) is missing, and several steps use this form`
    return { code: 'tally_missing_field', message }
  }
  return { code: 'tally_unknown_step', message: 'The step named by the hidden field does not use this form' }
}

async function resultOf(deps: TrackingDeps, event: TrackingEvent, status: 'accepted' | 'duplicate') {
  if (event.type !== 'QUIZ_SUBMIT') throw new Error(`event ${event.id} is not a quiz attempt`)
  const quiz = event.payload
  const row = await deps.progress.ofStep(event.org_id, event.student_id, event.class_id ?? '')
  return {
    status,
    event_id: event.id,
    class_id: event.class_id ?? undefined,
    score: quiz.score,
    max_score: quiz.max_score,
    ratio: quiz.ratio,
    passed: quiz.passed,
    pass_threshold: event.context.pass_threshold,
    step_completed: Boolean(row?.step_completed_at),
  } satisfies TallyHookResult
}

/** At most `perMinute` calls per sender address in each minute of the clock. */
function senderLimit(deps: TrackingDeps, perMinute: number) {
  let minute = -1
  let counts = new Map<string, number>()
  return (source: string | undefined) => {
    const now = Math.floor(deps.clock.now().getTime() / 60_000)
    if (now !== minute) {
      minute = now
      counts = new Map()
    }
    const key = source ?? ''
    const count = (counts.get(key) ?? 0) + 1
    counts.set(key, count)
    return count <= perMinute
  }
}

/**
 * Refuses a delivery to a known form that no step's secret authenticates, recording it briefly for the
 * schools whose steps use the form (unless its sender is over its rate).
 */
async function rejected(
  deps: TrackingDeps,
  limit: (source: string | undefined) => boolean,
  steps: catalog.TallyStep[],
  delivery: Delivery,
  error: AppError,
): Promise<never> {
  if (limit(delivery.source)) {
    const received_at = deps.clock.now().toISOString()
    for (const orgId of new Set(steps.map((s) => s.org_id))) {
      const row = {
        id: newId(),
        form_id: delivery.body.data.formId,
        tally_event_id: delivery.body.eventId,
        code: error.code,
        reason: error.message,
        size_bytes: new TextEncoder().encode(delivery.raw).length,
        excerpt: Array.from(delivery.raw).slice(0, EXCERPT_CHARS).join(''),
        received_at,
      }
      await repo.keepTallyRejection(deps.db, orgId, row, TALLY_REJECTIONS_KEPT)
    }
  }
  throw error
}

/**
 * The receiver of Tally webhooks for one app (it holds the per-sender rate of recorded rejections): records
 * a FORM_RESPONSE as a QUIZ_SUBMIT of the step whose Tally form it answers, once per Tally eventId. The body
 * is trusted only once its `Tally-Signature` matches the signing secret of that step.
 */
export function tallyReceiver(deps: TrackingDeps) {
  const limit = senderLimit(deps, TALLY_REJECTIONS_PER_MINUTE)
  return (delivery: Delivery) => receiveTallyWebhook(deps, limit, delivery)
}

async function receiveTallyWebhook(
  deps: TrackingDeps,
  limit: (source: string | undefined) => boolean,
  delivery: Delivery,
): Promise<TallyHookResult> {
  const { body } = delivery
  const { fields, formId } = body.data
  const steps = await catalog.tallyStepsOfForm(deps.catalog, formId)
  if (steps.length === 0) return unknownForm(deps, delivery)
  if (!delivery.signature) {
    const error = unauthorized('The Tally-Signature header is missing', 'tally_signature_missing')
    return rejected(deps, limit, steps, delivery, error)
  }
  const authentic = await signedBy(steps, delivery)
  if (authentic.length === 0) {
    const error = unauthorized(
      'The Tally-Signature header does not match the signing secret of this form',
      'tally_signature_invalid',
    )
    return rejected(deps, limit, steps, delivery, error)
  }
  const orgIds = authentic.map((s) => s.org_id)
  if (body.eventType !== 'FORM_RESPONSE') return { status: 'ignored' }

  // A retry of a response already recorded answers as the first delivery did, even if the step has
  // closed since (that very response may have closed it).
  const eventId = eventIdOf(body.eventId)
  // Looked up in the schools whose steps signed it: an id names an event within a school.
  const [stored] = (
    await Promise.all([...new Set(orgIds)].map((orgId) => repo.storedEvents(deps.db, orgId, [eventId])))
  ).flat()
  if (stored) {
    const same =
      stored.type === 'QUIZ_SUBMIT' &&
      stored.payload.source === 'tally' &&
      stored.payload.tally_event_id === body.eventId
    if (!same) throw new EventConflictError(eventId)
    return resultOf(deps, stored, 'duplicate')
  }

  const picked = pickStep(authentic, fields)
  if (!('step' in picked)) return unmappable(deps, orgIds, delivery, picked.code, picked.message)
  const { step } = picked
  const studentToken = hiddenField(fields, step.tally.student_field)
  if (!studentToken) {
    const message = `The hidden field "${step.tally.student_field}" (the student) is missing`
    return unmappable(deps, [step.org_id], delivery, 'tally_missing_field', message)
  }
  const secret = step.tally.signing_secret
  const studentId = secret
    ? await catalog.readTallyStudentToken(secret, studentToken, step.class_id)
    : studentToken
  if (!studentId) {
    const message = `The hidden field "${step.tally.student_field}" was not issued by Sillon for this student and step`
    return unmappable(deps, [step.org_id], delivery, 'tally_forged_student', message)
  }
  const [student] = await identity.peopleByIds(deps.identity, step.org_id, 'lms_student', [studentId])
  if (!student) {
    const message = `No student ${studentId} in the school of step ${step.class_id}`
    return unmappable(deps, [step.org_id], delivery, 'tally_unknown_student', message)
  }
  const reading = readScore(fields, step.tally)
  if ('problem' in reading)
    return unmappable(deps, [step.org_id], delivery, 'tally_invalid_score', reading.problem)

  let gated: Awaited<ReturnType<typeof gate>>
  try {
    gated = await gate(deps, step.org_id, student.id, step.class_id)
    if (gated.step.step_type === 'video_quiz') {
      const row = await deps.progress.ofStep(step.org_id, student.id, step.class_id)
      if (row?.video_completed !== 1)
        throw conflict('video_first', 'Watch the video of this step before the quiz')
    }
  } catch (err) {
    if (!(err instanceof AppError)) throw err
    await keep(deps, [step.org_id], delivery, err)
    return { status: 'refused', class_id: step.class_id, error: { code: err.code, message: err.message } }
  }

  const { context, path } = gated
  const ratio = reading.score / step.tally.max_score
  const payload: QuizSubmit = {
    source: 'tally',
    score: reading.score,
    max_score: step.tally.max_score,
    ratio,
    passed: ratio >= context.pass_threshold - 1e-9,
    results: [],
    answers: answersOf(fields),
    answer_texts: choiceTextsOf(fields),
    tally_event_id: body.eventId,
  }
  const now = deps.clock.now().toISOString()
  const event: NewEvent = {
    id: eventId,
    org_id: step.org_id,
    type: 'QUIZ_SUBMIT',
    version: 1,
    student_id: student.id,
    course_id: path.course.id,
    class_id: step.class_id,
    occurred_at: now,
    payload,
    context,
  }
  const { appended, duplicates } = await appendEvents(deps.db, [event], now)
  await deps.project()
  const [first] = appended
  const recorded = decodeEvent(trackingEvents, (first ?? duplicates[0]) as StoredEvent)
  return resultOf(deps, recorded, first ? 'accepted' : 'duplicate')
}

/** Tally responses kept for the caller's school, newest first. */
export async function listTallyInbox(
  deps: TrackingDeps,
  actor: MemberIdentity,
  page: { limit: number; offset: number },
) {
  const rows = await repo.listTallyInbox(deps.db, actor.orgId, page)
  return rows.map((row) => ({
    id: row.id,
    form_id: row.form_id,
    tally_event_id: row.tally_event_id,
    code: row.code,
    reason: row.reason,
    payload: parsePayload(row.payload_json),
    received_at: row.received_at,
  }))
}

/** Deliveries refused for their signature, newest first: the school's record to debug a form's webhook. */
export async function listTallyRejections(
  deps: TrackingDeps,
  actor: MemberIdentity,
  page: { limit: number; offset: number },
) {
  const rows = await repo.listTallyRejections(deps.db, actor.orgId, page)
  return rows.map(({ org_id: _, ...row }) => row)
}

/**
 * Keeps tally_rejections small: every hour, forgets what is older than the retention, what is beyond each
 * school's cap (concurrent inserts can overshoot it), and what is beyond the cap for all schools.
 */
export function pruneTallyRejectionsJob(db: Db): ScheduledJob {
  return {
    name: 'tracking.prune-tally-rejections',
    description: `forgets rejected Tally deliveries older than ${TALLY_REJECTION_RETENTION_DAYS} days or beyond the caps`,
    schedule: { cron: '47 * * * *', timezone: 'UTC' },
    async run(ctx) {
      const before = new Date(ctx.scheduledAt.getTime() - TALLY_REJECTION_RETENTION_DAYS * 86_400_000)
      const expired = await repo.forgetTallyRejectionsBefore(db, before.toISOString())
      for (const orgId of await repo.schoolsWithTallyRejectionsBeyond(db, TALLY_REJECTIONS_KEPT))
        await repo.forgetTallyRejectionsBeyond(db, orgId, TALLY_REJECTIONS_KEPT)
      const overflow = await repo.forgetTallyRejectionsBeyondTotal(db, TALLY_REJECTIONS_KEPT_IN_ALL)
      return { expired, overflow }
    },
  }
}

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
