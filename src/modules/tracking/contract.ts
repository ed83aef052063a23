import { z } from 'zod'
import type { DecodedEvent, EventRegistry } from '../../core/events/event-store.ts'

// The learning facts Sillon records (domain events), as zod schemas: the store decodes every event it reads
// with them (after upcasting older versions), so the projections get narrowed, typed values.

/** v1 was seed 003's shape: `position` and an optional rate (1 when absent). Stored, never written now. */
const VideoPingV1 = z.looseObject({
  position: z.number(),
  duration: z.number().optional(),
  playback_rate: z.number().optional(),
})

/** v2 (current): explicit units; the playback rate is always known. */
const VideoPingSchema = z.looseObject({
  position_sec: z.number(),
  playback_rate: z.number(),
  client_duration_sec: z.number().nullable(),
})

const QuizSubmitSchema = z.looseObject({
  source: z.enum(['native', 'tally']),
  score: z.number(),
  max_score: z.number(),
  ratio: z.number(),
  passed: z.boolean(),
  /** Per-question outcome of a native quiz (for mastery); empty for Tally. */
  results: z.array(
    z.object({
      question_id: z.string(),
      correct: z.boolean(),
      points: z.number(),
      points_awarded: z.number(),
      skills: z.array(z.string()).default([]),
    }),
  ),
  answers: z.record(z.string(), z.unknown()),
  /** Tally: the texts of the chosen options of each choice field, by field key (`answers` holds their ids). */
  answer_texts: z.record(z.string(), z.array(z.string())).optional(),
  tally_event_id: z.string().optional(),
})

const StepAckSchema = z.looseObject({})

/** What the server knew when it accepted the event; projections judge with it, so replays agree. */
const StepContextSchema = z.looseObject({
  step_type: z.enum(['video', 'quiz', 'video_quiz', 'reading']),
  step_index: z.number().int(),
  step_count: z.number().int(),
  duration_sec: z.number().nullable(),
  max_playback_rate: z.number(),
  completion_threshold: z.number(),
  pass_threshold: z.number(),
  skip_tolerance_sec: z.number(),
})

export type VideoPing = z.infer<typeof VideoPingSchema>
export type QuizSubmit = z.infer<typeof QuizSubmitSchema>
export type StepContext = z.infer<typeof StepContextSchema>

/** The type, payload and context of each tracking event: one branch per type, at its current version. */
const TrackingEventBodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('VIDEO_PING'), payload: VideoPingSchema, context: StepContextSchema }),
  z.object({ type: z.literal('QUIZ_SUBMIT'), payload: QuizSubmitSchema, context: StepContextSchema }),
  z.object({ type: z.literal('STEP_ACK'), payload: StepAckSchema, context: StepContextSchema }),
])

export type TrackingEventBody = z.infer<typeof TrackingEventBodySchema>

/** A tracking event as the store gives it to projections: upcast and decoded. */
export type TrackingEvent = DecodedEvent<TrackingEventBody>

export const trackingEvents: EventRegistry<TrackingEventBody> = {
  current: { VIDEO_PING: 2, QUIZ_SUBMIT: 1, STEP_ACK: 1 },
  upcasters: {
    VIDEO_PING: {
      1: (payload) => {
        const v1 = VideoPingV1.parse(payload)
        return {
          position_sec: v1.position,
          playback_rate: v1.playback_rate ?? 1,
          client_duration_sec: v1.duration ?? null,
        } satisfies VideoPing
      },
    },
  },
  body: TrackingEventBodySchema,
}
