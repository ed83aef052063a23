import { z } from '@hono/zod-openapi'
import { categories, channels, mailStatuses } from './tables.ts'

const Timestamp = z.string().openapi({ example: '2026-12-08T09:30:00.000Z' })

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: '0b9d4f3e-8a51-4c1e-9d7a-3f2b6c8e1a40' }),
})

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ example: 25 }),
  cursor: z.string().max(500).optional().openapi({ description: 'The `next_cursor` of the previous page' }),
})

const nextCursor = z.string().nullable().openapi({ description: 'Null on the last page' })

export const MailLogQuery = PageQuery.extend({
  status: z.enum(mailStatuses).optional().openapi({ description: 'Only the e-mails in this state' }),
})

const MailSchema = z
  .object({
    id: z.string(),
    to: z.string().openapi({ example: 'lea.martin@example.org' }),
    template: z.string().openapi({ example: 'message.digest' }),
    locale: z.enum(['fr', 'en']),
    subject: z.string().openapi({ example: '2 message(s) non lu(s) de Paul Durand' }),
    text: z.string().nullable().openapi({
      description: 'The plain-text part; null for an e-mail holding a secret link (a password reset)',
    }),
    status: z.enum(mailStatuses).openapi({
      description:
        'queued: waiting to be sent (again); sent; failed: refused for good or given up; not_sent: no SMTP ' +
        'server is configured (SMTP_URL), the e-mail is only kept here',
    }),
    attempts: z.number().int().min(0),
    last_error: z.string().nullable(),
    created_at: Timestamp,
    sent_at: Timestamp.nullable(),
  })
  .openapi('Mail')

export const MailPageSchema = z
  .object({ data: z.array(MailSchema), next_cursor: nextCursor, smtp_configured: z.boolean() })
  .openapi('MailPage')

export const NotificationSchema = z
  .object({
    id: z.string(),
    category: z.enum(categories),
    kind: z.string().openapi({ example: 'message.received' }),
    title: z.string().openapi({
      description: "What happened, in the reader's language",
      example: '1 message(s) non lu(s) de Paul Durand',
    }),
    params: z.record(z.string(), z.union([z.string(), z.number()])).openapi({
      description: 'What the notification is about, by kind (plain text: escape it when showing it as HTML)',
      example: { sender: 'Paul Durand', excerpt: 'Bonjour…' },
    }),
    link: z.string().nullable().openapi({ example: '/messages/0b9d4f3e-8a51-4c1e-9d7a-3f2b6c8e1a40' }),
    group: z.string().nullable().openapi({ description: 'Notifications of one conversation share it' }),
    created_at: Timestamp,
    read_at: Timestamp.nullable(),
  })
  .openapi('Notification')

export const NotificationPageSchema = z
  .object({
    data: z.array(NotificationSchema),
    next_cursor: nextCursor,
    unread_count: z.number().int().min(0),
  })
  .openapi('NotificationPage')

export const ReadAllResultSchema = z
  .object({ marked: z.number().int().min(0), unread_count: z.number().int().min(0) })
  .openapi('NotificationsRead')

const ChannelSchema = z.enum(channels).openapi({
  description:
    'in_app: in the inbox (live when connected); email: in the inbox and by e-mail (messages: a digest ' +
    'when left unread); off: nothing',
})

export const PreferencesSchema = z
  .object(
    Object.fromEntries(categories.map((c) => [c, ChannelSchema])) as Record<
      (typeof categories)[number],
      typeof ChannelSchema
    >,
  )
  .openapi('NotificationPreferences')

export const PreferencesBody = z
  .object(
    Object.fromEntries(categories.map((c) => [c, ChannelSchema.optional()])) as Record<
      (typeof categories)[number],
      z.ZodOptional<typeof ChannelSchema>
    >,
  )
  .strict()
  .openapi('NotificationPreferencesChange', { example: { messages: 'in_app', achievements: 'email' } })
