import { createBatchQueue } from '../../core/batch-queue.ts'
import { appendEvents, EventConflictError, type NewEvent, sameFact } from '../../core/events/event-store.ts'
import { AppError, conflict } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import type { TrackingEvent, VideoPing } from './contract.ts'
import { storedEvents } from './repository.ts'
import {
  type Actor,
  gateJudge,
  type StepProgressRow,
  stepProgressView,
  studentResolver,
  type TrackingDeps,
} from './service.ts'

// Video pings: judged against the linear path in groups (one batch of requests in flight shares one load of
// paths and progress), credited by the progress projection.

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
