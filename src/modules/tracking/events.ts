import type { EventRegistry } from '../../core/events/event-store.ts'

// The learning facts Sillon records (domain events). Each type has a version; stored older versions are
// upcast on read, so replays work across versions.

export type VideoPingV1 = { position: number; duration?: number; playback_rate?: number }
/** v2 (current): explicit units; the playback rate is always known. */
export type VideoPing = { position_sec: number; playback_rate: number; client_duration_sec: number | null }

export type QuizSubmit = {
  source: 'native' | 'tally'
  score: number
  max_score: number
  ratio: number
  passed: boolean
  /** Per-question outcome of a native quiz (for mastery); empty for Tally. */
  results: {
    question_id: string
    correct: boolean
    points: number
    points_awarded: number
    skills: string[]
  }[]
  answers: Record<string, unknown>
  /** Tally: the texts of the chosen options of each choice field, by field key (`answers` holds their ids). */
  answer_texts?: Record<string, string[]>
  tally_event_id?: string
}

export type StepAck = Record<string, never>

/** What the server knew when it accepted the event; projections judge with it, so replays agree. */
export type StepContext = {
  step_type: 'video' | 'quiz' | 'video_quiz' | 'reading'
  step_index: number
  step_count: number
  duration_sec: number | null
  max_playback_rate: number
  completion_threshold: number
  pass_threshold: number
  skip_tolerance_sec: number
}

export const trackingEvents: EventRegistry = {
  current: { VIDEO_PING: 2, QUIZ_SUBMIT: 1, STEP_ACK: 1 },
  upcasters: {
    VIDEO_PING: {
      // v1 was seed 003's shape: `position` and an optional rate (1 when absent).
      1: (payload) => {
        const v1 = payload as VideoPingV1
        return {
          position_sec: v1.position,
          playback_rate: v1.playback_rate ?? 1,
          client_duration_sec: v1.duration ?? null,
        } satisfies VideoPing
      },
    },
  },
}
