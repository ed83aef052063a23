import { z } from '@hono/zod-openapi'
import { PaginationQuery } from '../../core/http/schemas.ts'
import { questionDisplays, revealModes } from './rules/quiz.ts'
import { courseStatuses, kmsTypes, stepTypes } from './tables.ts'

const Timestamp = z.string().openapi({ example: '2026-11-22T09:30:00.000Z' })
const Id = z.string().min(1).max(64)
const Ids = z.array(Id).max(5000)
const Tags = z.array(z.string().trim().min(1).max(100)).max(50)
// Unified.to's LmsMedia: every field optional, a TEXT or HTML item carries its `content` instead of a URL.
export const mediaTypes = ['IMAGE', 'HEADSHOT', 'VIDEO', 'WEB', 'DOCUMENT', 'TEXT', 'HTML', 'OTHER'] as const
export const MediaSchema = z
  .array(
    z.object({
      url: z.url().max(2000).optional(),
      name: z.string().max(200).optional(),
      description: z.string().max(2000).optional(),
      type: z.enum(mediaTypes).optional(),
      thumbnail_url: z.url().max(2000).optional(),
      content: z.string().max(200000).optional(),
      languages: z.array(z.string().trim().min(2).max(20)).max(20).optional(),
    }),
  )
  .max(20)

const idParam = (name: string, example: string) => Id.openapi({ param: { name, in: 'path' }, example })

export const CourseParams = z.object({ id: idParam('id', '7c1e3a52-5f0d-4c7e-9b1a-2d8f6e4a0b13') })
export const ClassParams = z.object({ id: idParam('id', 'b2f0d6c4-1a3e-4f57-8c9d-0e1a2b3c4d5e') })
export const TeamParams = z.object({ id: idParam('id', '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8') })
export const TeamMemberParams = TeamParams.extend({
  student_id: idParam('student_id', '3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b'),
})
export const CaptionParams = ClassParams.extend({
  caption_id: idParam('caption_id', 'ca7f1e00-1234-4abc-8def-0123456789ab'),
})

export const KmsParams = CourseParams.extend({
  resource_id: idParam('resource_id', 'c0ffee00-1234-4abc-8def-0123456789ab'),
})

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

export const QuestionSchema = z
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

export const QuizInput = z
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

export const QuizSchema = z
  .object({
    kind: z.enum(['native', 'tally']),
    pass_threshold: z.number().nullable(),
    reveal_answers: RevealAnswers.optional().openapi({ description: 'Native quizzes only' }),
    question_display: QuestionDisplay.optional().openapi({ description: 'Native quizzes only' }),
    questions: z.array(QuestionSchema).optional(),
    tally: TallyMapping.omit({ signing_secret: true }).extend({ signing_secret_set: z.boolean() }).optional(),
  })
  .openapi('Quiz')

export const VideoSchema = z
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

// Courses

const Threshold = z.number().min(0).max(1)
const courseFields = {
  name: z.string().trim().min(1).max(300),
  description: z.string().max(20000).nullable().optional(),
  categories: Tags.optional(),
  languages: z.array(z.string().trim().min(2).max(20)).max(20).optional(),
  media: MediaSchema.optional(),
  objectives: z.array(z.string().trim().min(1).max(1000)).max(50).optional(),
  skills: Tags.optional(),
  currency: z.string().trim().length(3).toUpperCase().nullable().optional(),
  price_amount: z.number().min(0).nullable().optional(),
  is_active: z.boolean().optional(),
  is_private: z.boolean().optional(),
  max_playback_rate: z.number().min(1).max(4).optional(),
  allow_video_download: z.boolean().optional().openapi({
    description: "Whether the player lets students save the course's videos (default true)",
  }),
  video_completion_threshold: z.number().min(0.5).max(1).optional(),
  quiz_pass_threshold: Threshold.optional(),
  student_ids: Ids.optional().openapi({
    description: 'lms_student ids enrolled directly (replaces the set)',
  }),
  instructor_ids: Ids.optional().openapi({ description: 'lms_instructor ids assigned (replaces the set)' }),
  team_ids: Ids.optional().openapi({ description: 'Teams whose students are enrolled (replaces the set)' }),
  raw: z.record(z.string(), z.unknown()).nullable().optional(),
}

const courseExample = {
  name: 'Découvrir le système solaire',
  description: 'Un parcours en quatre étapes sur les planètes.',
  categories: ['Sciences'],
  languages: ['fr'],
  objectives: ['Nommer les huit planètes', 'Expliquer une orbite'],
  skills: ['astronomie'],
  max_playback_rate: 2,
  student_ids: ['3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b'],
}

export const CreateCourseBody = z.object(courseFields).openapi('CreateCourse', { example: courseExample })
export const UpdateCourseBody = z
  .object(courseFields)
  .partial()
  .openapi('UpdateCourse', { example: { description: 'Un parcours mis à jour.', student_ids: [] } })

const PersonRef = z.object({ id: z.string(), name: z.string().nullable() })

export const CourseSchema = z
  .object({
    id: z.string(),
    created_at: Timestamp,
    updated_at: Timestamp,
    name: z.string(),
    description: z.string().nullable(),
    status: z.enum(courseStatuses),
    categories: z.array(z.string()),
    languages: z.array(z.string()),
    media: MediaSchema,
    objectives: z.array(z.string()),
    skills: z.array(z.string()),
    currency: z.string().nullable(),
    price_amount: z.number().nullable(),
    is_active: z.boolean(),
    is_private: z.boolean(),
    max_playback_rate: z.number(),
    allow_video_download: z.boolean(),
    video_completion_threshold: z.number(),
    quiz_pass_threshold: z.number(),
    student_ids: z.array(z.string()).openapi({ description: 'Every enrolled student, directly or by team' }),
    direct_student_ids: z.array(z.string()).openapi({
      description: 'The students enrolled directly (what `student_ids` in a course update replaces)',
    }),
    students: z.array(PersonRef),
    instructor_ids: z.array(z.string()),
    instructors: z.array(PersonRef),
    team_ids: z.array(z.string()),
    step_count: z.number().int(),
    published_at: Timestamp.nullable(),
    raw: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('Course')

export const CourseListQuery = PaginationQuery.extend({
  query: z.string().trim().max(200).optional(),
  status: z.enum(courseStatuses).optional(),
  updated_gte: z.iso
    .datetime({ offset: true })
    .optional()
    .transform((v) => (v ? new Date(v).toISOString() : undefined)),
})

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

// Teams

export const TeamSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    student_ids: z.array(z.string()),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Team')

export const CreateTeamBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    student_ids: Ids.optional(),
  })
  .openapi('CreateTeam', {
    example: { name: 'Seconde B', student_ids: ['3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b'] },
  })

export const UpdateTeamBody = CreateTeamBody.partial().openapi('UpdateTeam', {
  example: { name: 'Seconde B (groupe 2)' },
})

export const AddTeamMemberBody = z
  .object({ student_id: Id })
  .openapi('AddTeamMember', { example: { student_id: '3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b' } })

export const TeamListQuery = PaginationQuery.extend({ query: z.string().trim().max(200).optional() })

// KMS

export const KmsResourceSchema = z
  .object({
    id: z.string(),
    course_id: z.string(),
    type: z.enum(kmsTypes),
    title: z.string(),
    body: z.string().nullable(),
    url: z.string().nullable(),
    file: z
      .object({ name: z.string(), type: z.string(), size: z.number().int(), download_url: z.string() })
      .nullable(),
    available_in_advance: z.boolean(),
    available: z.boolean().openapi({ description: 'Whether the caller may open it now' }),
    order_index: z.number().int(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('KmsResource')

export const CreateKmsBody = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('document'),
      title: z.string().trim().min(1).max(300),
      body: z.string().min(1).max(500000),
      available_in_advance: z.boolean().default(false),
    }),
    z.object({
      type: z.literal('link'),
      title: z.string().trim().min(1).max(300),
      url: z.url({ protocol: /^https?$/ }).max(2000),
      available_in_advance: z.boolean().default(false),
    }),
  ])
  .openapi('CreateKmsResource', {
    example: {
      type: 'link',
      title: 'Le système solaire (NASA)',
      url: 'https://science.nasa.gov/solar-system/',
      available_in_advance: false,
    },
  })

export const UpdateKmsBody = z
  .object({
    title: z.string().trim().min(1).max(300).optional(),
    body: z.string().min(1).max(500000).optional(),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    available_in_advance: z.boolean().optional(),
  })
  .openapi('UpdateKmsResource', { example: { available_in_advance: true } })

export const KmsUploadForm = z
  .object({
    file: z
      .custom<File>((value) => value instanceof File, 'attach the file in the "file" field')
      .openapi({ type: 'string', format: 'binary' }),
    title: z.string().trim().max(300).optional(),
    available_in_advance: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .openapi('UploadKmsFile')

export const CaptionUploadForm = z
  .object({
    file: z
      .custom<File>((value) => value instanceof File, 'attach the WebVTT file in the "file" field')
      .openapi({ type: 'string', format: 'binary' }),
    language: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language tag such as fr, en or pt-BR')
      .openapi({ example: 'fr' }),
    label: z.string().trim().min(1).max(100).openapi({ example: 'Français' }),
  })
  .openapi('UploadCaption')

export const CaptionSchema = z
  .object({
    id: z.string(),
    language: z.string(),
    label: z.string(),
    size: z.number().int(),
    created_at: z.string(),
    url: z.string().openapi({ description: 'Where the player loads the track (text/vtt)' }),
  })
  .openapi('Caption')

export const KmsListSchema = z
  .object({
    data: z.array(KmsResourceSchema),
    locked: z
      .number()
      .int()
      .openapi({ description: 'Resources the caller will see once the course is completed' }),
  })
  .openapi('KmsList')

// Export / import: one JSON document per course (steps, quizzes, handout documents and links)

export const COURSE_DOCUMENT_FORMAT = 'sillon.course'

export const CourseDocumentSchema = z
  .object({
    format: z.literal(COURSE_DOCUMENT_FORMAT),
    version: z.literal(1),
    exported_at: Timestamp.optional(),
    course: CreateCourseBody.omit({ student_ids: true, instructor_ids: true, team_ids: true }),
    steps: z.array(CreateClassBody.omit({ course_id: true, order_index: true })).max(1000),
    kms: z.array(CreateKmsBody).max(1000).default([]),
  })
  .openapi('CourseDocument', {
    example: {
      format: 'sillon.course',
      version: 1,
      course: { name: 'Découvrir le système solaire', languages: ['fr'], skills: ['astronomie'] },
      steps: [{ name: 'Lire', step_type: 'reading', content_md: '# Les planètes' }],
      kms: [{ type: 'document', title: 'Fiche', body: '# Résumé', available_in_advance: false }],
    },
  })

export const PlaybackSchema = z
  .discriminatedUnion('source', [
    z.object({ source: z.literal('url'), url: z.string(), duration_sec: z.number() }),
    z.object({
      source: z.literal('stream'),
      uid: z.string(),
      duration_sec: z.number(),
      token: z
        .string()
        .nullable()
        .openapi({ description: 'Signed token to use in place of the uid (private videos)' }),
      token_expires_at: Timestamp.nullable(),
    }),
  ])
  .openapi('Playback')

export const MyTeamsSchema = z.array(z.object({ id: z.string(), name: z.string() })).openapi('MyTeams')
