import { z } from '@hono/zod-openapi'
import { CourseListQuery } from '../courses/schemas.ts'
import { questionDisplays, revealModes } from '../rules/quiz.ts'
import { Id, MediaSchema, Tags, Timestamp } from '../schemas.ts'
import { stepTypes } from '../tables.ts'

// Quizzes

const Choice = z.object({ id: z.string().trim().min(1).max(50), text: z.string().trim().min(1).max(1000) })
const questionBase = {
  id: z.string().trim().min(1).max(50),
  prompt: z.string().trim().min(1).max(4000),
  points: z.number().positive().max(1000).default(1),
  skills: Tags.default([]),
  explanation: z.string().max(4000).optional().openapi({
    description: 'Shown with the expected answer, once the answers are revealed (it may state the answer)',
  }),
  hint: z.string().max(4000).optional().openapi({
    description:
      'Shown after a wrong answer, also while the quiz is not passed: write it so that it does not give the answer away',
  }),
}

function uniqueChoiceIds(choices: { id: string }[]) {
  return new Set(choices.map((c) => c.id)).size === choices.length
}

const QuestionSchema = z
  .discriminatedUnion('type', [
    z.object({
      ...questionBase,
      type: z.literal('single_choice'),
      choices: z.array(Choice).min(2).max(20),
      answer: z.string().min(1),
    }),
    z.object({
      ...questionBase,
      type: z.literal('multiple_choice'),
      choices: z.array(Choice).min(2).max(20),
      answer: z.array(z.string().min(1)).min(1),
    }),
    z.object({ ...questionBase, type: z.literal('true_false'), answer: z.boolean() }),
    z.object({
      ...questionBase,
      type: z.literal('short_text'),
      answer: z.array(z.string().trim().min(1).max(500)).min(1).max(50),
    }),
    z.object({
      ...questionBase,
      type: z.literal('number'),
      answer: z.number(),
      tolerance: z.number().min(0).default(0),
    }),
  ])
  .superRefine((q, ctx) => {
    if (q.type !== 'single_choice' && q.type !== 'multiple_choice') return
    if (!uniqueChoiceIds(q.choices))
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'choice ids must differ' })
    const ids = new Set(q.choices.map((c) => c.id))
    const answers = Array.isArray(q.answer) ? q.answer : [q.answer]
    if (answers.some((a) => !ids.has(a))) {
      ctx.addIssue({ code: 'custom', path: ['answer'], message: 'must name choices of this question' })
    }
  })
  .openapi('QuizQuestion')

const TallyMapping = z
  .object({
    form_id: z.string().trim().min(1).max(100).openapi({ example: 'wMq1ZQ' }),
    student_field: z.string().trim().min(1).max(100).default('student_id'),
    class_field: z.string().trim().min(1).max(100).default('class_id'),
    score_field: z.string().trim().min(1).max(100).default('score'),
    max_score: z.number().positive().max(100000),
    signing_secret: z.string().min(8).max(500).optional().openapi({ description: 'Write-only' }),
  })
  .openapi('TallyMapping')

const RevealAnswers = z.enum(revealModes).openapi({
  description:
    'When a student sees the expected answers and explanations: once they pass the quiz (after_pass), or never. ' +
    'A failed attempt shows only which answers were right, and the hints',
})

const QuestionDisplay = z.enum(questionDisplays).openapi({
  description:
    "How the player shows the questions: all on one page, or one at a time (the student's answers go in one submission either way)",
})

const QuizInput = z
  .union([
    z.object({
      pass_threshold: z.number().min(0).max(1).optional(),
      reveal_answers: RevealAnswers.optional().openapi({ default: 'after_pass' }),
      question_display: QuestionDisplay.optional().openapi({ default: 'all' }),
      questions: z.array(QuestionSchema).max(200),
    }),
    z.object({ pass_threshold: z.number().min(0).max(1).optional(), tally: TallyMapping }),
  ])
  .superRefine((quiz, ctx) => {
    if (!('questions' in quiz)) return
    if (new Set(quiz.questions.map((q) => q.id)).size !== quiz.questions.length) {
      ctx.addIssue({ code: 'custom', path: ['questions'], message: 'question ids must differ' })
    }
  })
  .openapi('QuizInput')

const QuizSchema = z
  .object({
    kind: z.enum(['native', 'tally']),
    pass_threshold: z.number().nullable(),
    reveal_answers: RevealAnswers.optional().openapi({ description: 'Native quizzes only' }),
    question_display: QuestionDisplay.optional().openapi({ description: 'Native quizzes only' }),
    questions: z.array(QuestionSchema).optional(),
    tally: TallyMapping.omit({ signing_secret: true }).extend({ signing_secret_set: z.boolean() }).optional(),
  })
  .openapi('Quiz')

const VideoSchema = z
  .discriminatedUnion('source', [
    z.object({
      source: z.literal('url'),
      url: z
        .string()
        .max(2000)
        .refine(
          (url) => /^\/[^/]/.test(url) || (URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)),
          'use an http(s) URL, or a /path served by Sillon',
        )
        .openapi({ example: 'https://videos.example.org/intro.m3u8', description: 'MP4 or HLS manifest' }),
      duration_sec: z.number().positive().max(86400),
    }),
    z.object({
      source: z.literal('stream'),
      uid: z
        .string()
        .regex(/^[a-f0-9]{32}$/, 'a Cloudflare Stream uid is 32 hexadecimal characters')
        .openapi({ example: '5d5bc37ffcf54c9b82e996823bffbb81' }),
      duration_sec: z.number().positive().max(86400),
      requires_signed_urls: z.boolean().default(false),
    }),
  ])
  .openapi('Video')

// Steps (classes)

const classFields = {
  course_id: Id,
  name: z.string().trim().min(1).max(300),
  description: z.string().max(20000).nullable().optional(),
  step_type: z.enum(stepTypes).optional().openapi({
    description: 'When a new step omits it: `video` if one of its media is a VIDEO, otherwise `reading`',
  }),
  content_md: z.string().max(200000).nullable().optional(),
  video: VideoSchema.nullable().optional(),
  quiz: QuizInput.nullable().optional(),
  skills: Tags.optional(),
  languages: z.array(z.string().trim().min(2).max(20)).max(20).optional(),
  media: MediaSchema.optional(),
  raw: z.record(z.string(), z.unknown()).nullable().optional(),
  order_index: z.number().int().min(0).optional().openapi({
    description: 'Position (0 = first); omitted: added at the end',
  }),
}

export const CreateClassBody = z.object(classFields).openapi('CreateClass', {
  example: {
    course_id: '7c1e3a52-5f0d-4c7e-9b1a-2d8f6e4a0b13',
    name: 'Les planètes telluriques',
    step_type: 'video',
    video: { source: 'url', url: 'https://videos.example.org/telluriques.mp4', duration_sec: 180 },
  },
})

export const UpdateClassBody = z
  .object(classFields)
  .omit({ course_id: true, order_index: true })
  .partial()
  .openapi('UpdateClass', { example: { name: 'Les planètes rocheuses' } })

export const ClassSchema = z
  .object({
    id: z.string(),
    created_at: Timestamp,
    updated_at: Timestamp,
    course_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    order_index: z.number().int(),
    step_type: z.enum(stepTypes),
    content_md: z.string().nullable(),
    video: VideoSchema.nullable(),
    quiz: QuizSchema.nullable(),
    students_reached: z.boolean().openapi({
      description:
        'Some student has completed this step or is working on it: in a published course it can no longer ' +
        'move or be removed',
    }),
    skills: z.array(z.string()),
    languages: z.array(z.string()),
    media: MediaSchema,
    raw: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('Class')

export const ClassListQuery = CourseListQuery.omit({ status: true }).extend({
  course_id: Id.optional(),
})

export const ReorderBody = z.object({ class_ids: z.array(Id).min(1).max(1000) }).openapi('ReorderSteps', {
  example: { class_ids: ['b2f0d6c4-1a3e-4f57-8c9d-0e1a2b3c4d5e', 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'] },
})
