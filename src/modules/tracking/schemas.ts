import { z } from '@hono/zod-openapi'

const Id = z.string().min(1).max(64)
const EventId = z
  .string()
  .min(8)
  .max(64)
  .openapi({ description: 'Client-chosen id (a UUID); resending it changes nothing' })
const Timestamp = z.iso.datetime({ offset: true })

const VideoPingSchema = z
  .object({
    event_id: EventId.optional(),
    class_id: Id,
    position: z.number().min(0).max(86400).openapi({ description: 'Seconds into the video' }),
    duration: z
      .number()
      .positive()
      .max(86400)
      .optional()
      .openapi({ description: 'As the player sees it (informative)' }),
    playback_rate: z.number().min(0.25).max(16).optional(),
    occurred_at: Timestamp.optional(),
    student_id: Id.optional().openapi({ description: 'Integration tokens of staff only' }),
  })
  .openapi('VideoPing')

export const VideoEventBody = z
  .union([VideoPingSchema, z.object({ events: z.array(VideoPingSchema).min(1).max(500) })])
  .openapi('VideoEvent', {
    example: {
      event_id: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
      class_id: 'b2f0d6c4-1a3e-4f57-8c9d-0e1a2b3c4d5e',
      position: 42.5,
      playback_rate: 1.5,
    },
  })

export const StepProgressSchema = z
  .object({
    class_id: z.string(),
    video_position_sec: z.number().openapi({ description: 'Credited position: what was plausibly watched' }),
    video_duration_sec: z.number().nullable(),
    video_completed: z.boolean(),
    quiz_passed: z.boolean(),
    quiz_attempts: z.number().int(),
    step_completed: z.boolean(),
    skip_attempts: z.number().int(),
  })
  .openapi('StepProgress')

const PingResultSchema = z.object({
  event_id: z.string(),
  class_id: z.string(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
})

export const VideoEventResponse = z
  .object({ results: z.array(PingResultSchema), progress: z.array(StepProgressSchema) })
  .openapi('VideoEventResult')

export const QuizSubmissionBody = z
  .object({
    event_id: EventId.optional(),
    class_id: Id,
    answers: z.record(z.string(), z.unknown()).openapi({ description: 'Answer per question id' }),
    student_id: Id.optional().openapi({ description: 'Integration tokens of staff only' }),
  })
  .openapi('QuizSubmission', {
    example: {
      event_id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      class_id: 'b2f0d6c4-1a3e-4f57-8c9d-0e1a2b3c4d5e',
      answers: { q1: 'b', q2: ['a', 'c'], q3: false, q4: 'Mars', q5: 8 },
    },
  })

export const QuizResultSchema = z
  .object({
    event_id: z.string(),
    score: z.number(),
    max_score: z.number(),
    ratio: z.number(),
    passed: z.boolean(),
    pass_threshold: z.number(),
    attempts: z.number().int(),
    reveal_answers: z.enum(['after_pass', 'never']).openapi({
      description: "The quiz's rule: the answer key is shown once the quiz is passed (after_pass), or never",
    }),
    answers_revealed: z.boolean().openapi({
      description:
        'Whether this answer carries the expected answers and explanations (a passed attempt only)',
    }),
    results: z.array(
      z.object({
        question_id: z.string(),
        correct: z.boolean(),
        points: z.number(),
        points_awarded: z.number(),
        correct_answer: z
          .unknown()
          .optional()
          .openapi({ description: 'The expected answer; only when `answers_revealed`' }),
        explanation: z
          .string()
          .nullable()
          .openapi({ description: "The teacher's explanation; null until the answers are revealed" }),
        hint: z.string().nullable().openapi({
          description: "The teacher's hint for a wrong answer (it does not give the answer away)",
        }),
        skills: z.array(z.string()),
      }),
    ),
    hearts: z
      .object({
        hearts: z.number().int(),
        max_hearts: z.number().int(),
        next_heart_at: z.string().nullable(),
      })
      .nullable()
      .openapi({
        description: "The student's hearts after this attempt (a failed one costs one); null when off",
      }),
  })
  .openapi('QuizResult')

export const StepAckBody = z
  .object({ event_id: EventId.optional(), class_id: Id, student_id: Id.optional() })
  .openapi('StepAck', { example: { class_id: 'b2f0d6c4-1a3e-4f57-8c9d-0e1a2b3c4d5e' } })

// Tally webhooks (https://tally.so/help/webhooks). Loose on purpose: Tally adds fields over time, and an
// event type Sillon does not know is acknowledged, not refused (Tally would retry it).

const TallyFieldSchema = z.object({
  key: z.string().max(200),
  label: z.string().max(2000).nullable().optional(),
  type: z.string().max(100),
  value: z.unknown().optional(),
  options: z
    .array(z.object({ id: z.string().max(200), text: z.string().max(2000).nullable().optional() }))
    .max(1000)
    .optional()
    .openapi({ description: 'Choice fields: the options, whose ids `value` holds' }),
})

export const TallyWebhookBody = z
  .object({
    eventId: z
      .string()
      .regex(/^[\w-]{1,100}$/)
      .openapi({ description: "Tally's id of this delivery; retries repeat it (the idempotency key)" }),
    eventType: z.string().max(100).openapi({ description: 'Only FORM_RESPONSE is recorded' }),
    createdAt: z.string().max(100).optional(),
    data: z.object({
      responseId: z.string().max(100).optional(),
      submissionId: z.string().max(100).optional(),
      respondentId: z.string().max(100).optional(),
      formId: z.string().min(1).max(100),
      formName: z.string().max(1000).nullable().optional(),
      createdAt: z.string().max(100).optional(),
      fields: z.array(TallyFieldSchema).max(1000),
    }),
  })
  .openapi('TallyWebhook', {
    example: {
      eventId: 'a4cb511e-d513-4fa5-baee-b815d718dfd1',
      eventType: 'FORM_RESPONSE',
      createdAt: '2026-11-22T09:30:00.000Z',
      data: {
        responseId: '2wgx4n',
        submissionId: '2wgx4n',
        respondentId: 'dwQKYm',
        formId: 'wMq1ZQ',
        formName: 'Planets quiz',
        createdAt: '2026-11-22T09:30:00.000Z',
        fields: [
          {
            key: 'question_mVGEg3',
            label: 'student_id',
            type: 'HIDDEN_FIELDS',
            value: '7d9f1c3e-2b4a-4c6d-8e0f-1a2b3c4d5e6f',
          },
          {
            key: 'question_nPpVGb',
            label: 'class_id',
            type: 'HIDDEN_FIELDS',
            value: 'b2f0d6c4-1a3e-4f57-8c9d-0e1a2b3c4d5e',
          },
          {
            key: 'question_3EKz4n',
            label: 'Which planet is red?',
            type: 'MULTIPLE_CHOICE',
            value: ['a1b2'],
            options: [
              { id: 'a1b2', text: 'Mars' },
              { id: 'c3d4', text: 'Venus' },
            ],
          },
          { key: 'question_w4Q1xD', label: 'Score', type: 'CALCULATED_FIELDS', value: 8 },
        ],
      },
    },
  })

export const TallyHookResult = z
  .object({
    status: z.enum(['accepted', 'duplicate', 'refused', 'ignored']).openapi({
      description:
        '`refused`: authentic and mapped, but the learning path refused it (not enrolled, step locked or ' +
        'closed...): kept in the Tally inbox and acknowledged so that Tally does not retry it',
    }),
    event_id: z.string().optional(),
    class_id: z.string().optional(),
    score: z.number().optional(),
    max_score: z.number().optional(),
    ratio: z.number().optional(),
    passed: z.boolean().optional(),
    pass_threshold: z.number().optional(),
    step_completed: z.boolean().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi('TallyHookResult')

export const TallyInboxItem = z
  .object({
    id: z.string(),
    form_id: z.string(),
    tally_event_id: z.string(),
    code: z.string().openapi({ example: 'tally_unknown_student' }),
    reason: z.string(),
    payload: z.unknown().openapi({ description: 'The body as Tally sent it' }),
    received_at: z.string(),
  })
  .openapi('TallyInboxItem')

export const TallyRejectionItem = z
  .object({
    id: z.string(),
    form_id: z.string(),
    tally_event_id: z.string(),
    code: z.string().openapi({ example: 'tally_signature_invalid' }),
    reason: z.string(),
    size_bytes: z.number().int().openapi({ description: 'Size of the body' }),
    excerpt: z.string().openapi({ description: 'The first 300 characters of the body' }),
    received_at: z.string(),
  })
  .openapi('TallyRejectionItem')
