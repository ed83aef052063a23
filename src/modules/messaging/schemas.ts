import { z } from '@hono/zod-openapi'
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, MAX_ATTACHMENTS_PER_MESSAGE } from './attachments.ts'

/** The longest message body, in characters of markdown. */
const MAX_BODY_LENGTH = 10_000

const Timestamp = z.string().openapi({ example: '2026-12-08T09:30:00.000Z' })
const Id = z.string().min(1).max(100)
const RoleSchema = z.enum(['owner', 'admin', 'instructor', 'student', 'support'])

export const IdParam = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' }, example: '0b9d4f3e-8a51-4c1e-9d7a-3f2b6c8e1a40' }),
})

export const AttachmentSchema = z
  .object({
    id: z.string().openapi({ example: '2f8c1d7e-5a4b-4c3d-9e8f-7a6b5c4d3e2f' }),
    name: z.string().openapi({ example: 'exercice-3.pdf' }),
    type: z.string().openapi({ description: 'Judged from the content', example: 'application/pdf' }),
    size: z.number().int().openapi({ description: 'Bytes', example: 48213 }),
    url: z.string().openapi({
      description: 'Where the participants download it',
      example:
        '/api/conversations/0b9d4f3e-8a51-4c1e-9d7a-3f2b6c8e1a40/attachments/2f8c1d7e-5a4b-4c3d-9e8f-7a6b5c4d3e2f',
    }),
  })
  .openapi('MessageAttachment')

export const MessageSchema = z
  .object({
    id: z.string().openapi({ example: '6c1e2a9b-3d4f-4b8a-9e7c-1f2d3a4b5c6d' }),
    conversation_id: z.string(),
    author_id: z.string().openapi({ description: "The author's account (member) id" }),
    client_id: z.string().openapi({ example: 'b1e0c2f4-draft-1' }),
    body: z.string().nullable().openapi({
      description: 'Markdown; null once the message is deleted',
      example: 'Bonjour, je ne comprends pas la question 3.',
    }),
    state: z.enum(['sent', 'edited', 'deleted']),
    created_at: Timestamp,
    edited_at: Timestamp.nullable(),
    deleted_at: Timestamp.nullable(),
    attachments: z.array(AttachmentSchema).openapi({ description: 'None once the message is deleted' }),
  })
  .openapi('Message')

const ParticipantSchema = z.object({
  member_id: z.string(),
  name: z.string().nullable().openapi({ description: 'Null for someone no longer a member of the school' }),
  role: RoleSchema.nullable(),
  joined_at: Timestamp,
  left_at: Timestamp.nullable(),
  last_read_message_id: z.string().nullable().openapi({ description: 'Their read receipt' }),
})

export const ConversationSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['direct', 'group']),
    course_id: z.string().nullable(),
    team_id: z.string().nullable(),
    created_by: z.string(),
    created_at: Timestamp,
    participants: z.array(ParticipantSchema),
    last_message: MessageSchema.nullable(),
    unread_count: z.number().int().min(0).openapi({ example: 2 }),
  })
  .openapi('Conversation')

const Cursor = z.string().max(500).optional().openapi({
  description: 'The `next_cursor` of the previous page',
  example: 'MjAyNi0xMi0wOFQwOTozMDowMC4wMDBafDBiOWQ',
})

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ example: 25 }),
  cursor: Cursor,
})

const nextCursor = z.string().nullable().openapi({ description: 'Null on the last page' })

export const ConversationPageSchema = z
  .object({ data: z.array(ConversationSchema), next_cursor: nextCursor })
  .openapi('ConversationPage')

export const MessagePageSchema = z
  .object({ data: z.array(MessageSchema), next_cursor: nextCursor })
  .openapi('MessagePage')

export const CreateConversationBody = z
  .object({
    member_id: Id.optional().openapi({ description: 'A direct conversation with this member' }),
    team_id: Id.optional().openapi({
      description: 'A group conversation with the students of this team (staff)',
    }),
    member_ids: z
      .array(Id)
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'A group conversation with these members (staff)' }),
    course_id: Id.optional().openapi({ description: 'The course the conversation is about' }),
  })
  .refine(
    (b) => [b.member_id, b.team_id, b.member_ids].filter((v) => v !== undefined).length === 1,
    'give exactly one of member_id, team_id and member_ids',
  )
  .openapi('CreateConversation', {
    example: {
      member_id: '7f3a9c2e-1b4d-4e6f-8a0b-2c3d4e5f6a7b',
      course_id: '3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b',
    },
  })

const Body = z
  .string()
  .trim()
  .min(1)
  .max(MAX_BODY_LENGTH)
  .openapi({
    description: `Markdown, at most ${MAX_BODY_LENGTH} characters`,
    example: 'Bonjour, je ne comprends pas la question 3.',
  })

export const PostMessageBody = z
  .object({
    client_id: z.string().min(1).max(100).openapi({
      description: 'Chosen by the client, unique per author: sending it again returns the same message',
      example: 'b1e0c2f4-draft-1',
    }),
    body: z
      .string()
      .trim()
      .max(MAX_BODY_LENGTH)
      .default('')
      .openapi({
        description: `Markdown, at most ${MAX_BODY_LENGTH} characters; may be empty when files are attached`,
        example: 'Bonjour, je ne comprends pas la question 3.',
      }),
    attachment_ids: z
      .array(Id)
      .max(MAX_ATTACHMENTS_PER_MESSAGE)
      .optional()
      .openapi({
        description:
          `Files the caller uploaded into this conversation (POST .../attachments) and has not sent yet, ` +
          `at most ${MAX_ATTACHMENTS_PER_MESSAGE}`,
      }),
  })
  .openapi('PostMessage', {
    example: {
      client_id: 'b1e0c2f4-draft-1',
      body: 'Bonjour !',
      attachment_ids: ['2f8c1d7e-5a4b-4c3d-9e8f-7a6b5c4d3e2f'],
    },
  })

export const EditMessageBody = z
  .object({ body: Body })
  .openapi('EditMessage', { example: { body: 'Bonjour, je ne comprends pas la question 4.' } })

export const ReadBody = z
  .object({
    up_to: Id.openapi({
      description: 'The id of the latest message read',
      example: '6c1e2a9b-3d4f-4b8a-9e7c-1f2d3a4b5c6d',
    }),
  })
  .openapi('ReadReceipt', { example: { up_to: '6c1e2a9b-3d4f-4b8a-9e7c-1f2d3a4b5c6d' } })

export const ReadResultSchema = z
  .object({
    conversation_id: z.string(),
    last_read_message_id: z.string().nullable(),
    unread_count: z.number().int(),
  })
  .openapi('ReadResult')

export const MessageParams = z.object({
  id: IdParam.shape.id,
  message_id: Id.openapi({
    param: { name: 'message_id', in: 'path' },
    example: '6c1e2a9b-3d4f-4b8a-9e7c-1f2d3a4b5c6d',
  }),
})

export const AttachmentParams = z.object({
  id: IdParam.shape.id,
  attachment_id: Id.openapi({
    param: { name: 'attachment_id', in: 'path' },
    example: '2f8c1d7e-5a4b-4c3d-9e8f-7a6b5c4d3e2f',
  }),
})

export const AttachmentUploadForm = z
  .object({
    file: z
      .custom<File>((value) => value instanceof File, 'attach the file in the "file" field')
      .openapi({
        type: 'string',
        format: 'binary',
        description:
          `At most ${ATTACHMENT_MAX_BYTES} bytes (or UPLOAD_MAX_BYTES if lower), of one of these types, judged ` +
          `from the content: ${Object.keys(ATTACHMENT_TYPES).join(', ')}`,
      }),
  })
  .openapi('UploadMessageAttachment')

export const ReportBody = z
  .object({
    reason: z.string().trim().min(1).max(1000).openapi({
      description: 'Why the message should be looked at, for the school staff',
      example: 'Propos insultants envers un autre élève',
    }),
  })
  .openapi('ReportMessage', { example: { reason: 'Propos insultants envers un autre élève' } })

export const ReportSchema = z
  .object({
    message_id: z.string(),
    conversation_id: z.string(),
    reporter_id: z.string(),
    reason: z.string().nullable().openapi({ description: 'Null once the reporter is erased' }),
    created_at: Timestamp,
  })
  .openapi('MessageReport')

export const ReportPageSchema = z
  .object({
    data: z.array(
      ReportSchema.extend({
        reporter_name: z.string().nullable().openapi({ description: 'Null once no longer a member' }),
        author_name: z.string().nullable(),
        message: MessageSchema,
      }),
    ),
    next_cursor: nextCursor,
  })
  .openapi('MessageReportPage')
