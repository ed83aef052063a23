import { z } from 'zod'

// The signals progress derives from events, as zod schemas: readers build their contract from the ones they
// react to (core/events/signal-log.ts signalContract), and the runner decodes what it hands them.

const QuestionResult = z.object({
  question_id: z.string(),
  correct: z.boolean(),
  points: z.number(),
  points_awarded: z.number(),
  skills: z.array(z.string()).default([]),
})

export const VideoCompletedSignal = z.object({
  type: z.literal('VIDEO_COMPLETED'),
  payload: z.looseObject({ duration_sec: z.number().nullable() }),
})

/** One per attempt. Tally attempts carry a total only: their `results` are empty. */
export const QuizAttemptedSignal = z.object({
  type: z.literal('QUIZ_ATTEMPTED'),
  payload: z.looseObject({
    source: z.enum(['native', 'tally']),
    score: z.number(),
    max_score: z.number(),
    ratio: z.number(),
    passed: z.boolean(),
    attempt: z.number().int().min(1),
    results: z.array(QuestionResult).default([]),
  }),
})

export const QuizPassedSignal = z.object({
  type: z.literal('QUIZ_PASSED'),
  payload: z.looseObject({
    score: z.number(),
    max_score: z.number(),
    ratio: z.number(),
    /** The attempt that passed: 1 for a first-time pass. */
    attempts: z.number().int().min(1),
  }),
})

export const StepCompletedSignal = z.object({
  type: z.literal('STEP_COMPLETED'),
  payload: z.looseObject({
    step_index: z.number().int(),
    step_type: z.enum(['video', 'quiz', 'video_quiz', 'reading']),
  }),
})

export const CourseCompletedSignal = z.object({
  type: z.literal('COURSE_COMPLETED'),
  payload: z.looseObject({ step_count: z.number().int() }),
})

export type QuizAttemptedBody = z.infer<typeof QuizAttemptedSignal>
export type QuizAttempted = QuizAttemptedBody['payload']
export type QuizPassed = z.infer<typeof QuizPassedSignal>['payload']
export type QuestionOutcome = z.infer<typeof QuestionResult>
