import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import { ContactListSchema, ContactQuery, listContacts } from './contacts.ts'
import { registerMessagingExtras } from './extra-routes.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

export function messagingRoutes(deps: service.MessagingDeps) {
  const app = createRouter()
  const tags = ['Messaging']
  const access = may('messaging.use')
  const me = (c: Context<AppEnv>) => c.get('member')

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/conversations',
      tags,
      summary: 'Start a conversation, or find the direct one already there',
      description:
        'Direct (`member_id`): staff write to any member of the school; a student to its owners, ' +
        'administrators and support, to the instructors of their courses, and to other students when the ' +
        'school allows it (`student_messaging`). Asking again for the same two members answers the existing ' +
        'conversation with 200. Group (`team_id` or `member_ids`): staff only.',
      access,
      request: { body: { ...json(s.CreateConversationBody), required: true } },
      responses: {
        200: {
          description: 'The direct conversation the two members already have',
          ...json(s.ConversationSchema),
        },
        201: { description: 'Started', ...json(s.ConversationSchema) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { created, conversation } = await service.startConversation(deps, me(c), c.req.valid('json'))
      return created ? c.json(conversation, 201) : c.json(conversation, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/conversations',
      tags,
      summary: "The caller's conversations, latest activity first, with their last message and unread count",
      access,
      request: { query: s.PageQuery },
      responses: {
        200: { description: 'A page of conversations', ...json(s.ConversationPageSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await service.listConversations(deps, me(c), c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/conversations/{id}',
      tags,
      summary: "One of the caller's conversations, with its participants, last message and unread count",
      access,
      request: { params: s.IdParam },
      responses: {
        200: { description: 'The conversation', ...json(s.ConversationSchema) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await service.viewOne(deps, me(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/conversations/{id}/messages',
      tags,
      summary: "A conversation's messages, newest first",
      access,
      request: { params: s.IdParam, query: s.PageQuery },
      responses: {
        200: { description: 'A page of messages', ...json(s.MessagePageSchema) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(await service.listMessages(deps, me(c), c.req.valid('param').id, c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/conversations/{id}/messages',
      tags,
      summary: 'Write a message (idempotent on client_id)',
      description:
        "Stored, with the conversation's last message, in one transaction. Sending the same `client_id` " +
        'again answers the stored message with 200 and writes nothing. A member may post a limited number ' +
        'of messages a minute: beyond it, 429 with `retry_after` (seconds) in the error details.',
      access,
      request: { params: s.IdParam, body: { ...json(s.PostMessageBody), required: true } },
      responses: {
        200: { description: 'Already stored under this client_id', ...json(s.MessageSchema) },
        201: { description: 'Stored', ...json(s.MessageSchema) },
        ...errorResponses(400, 401, 403, 404, 409, 429),
      },
    }),
    async (c) => {
      const { created, message } = await service.postMessage(
        deps,
        me(c),
        c.req.valid('param').id,
        c.req.valid('json'),
      )
      return created ? c.json(message, 201) : c.json(message, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/conversations/{id}/read',
      tags,
      summary: 'Read receipt: the caller has read the conversation up to this message',
      access,
      request: { params: s.IdParam, body: { ...json(s.ReadBody), required: true } },
      responses: {
        200: { description: 'The receipt and what remains unread', ...json(s.ReadResultSchema) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(await service.markRead(deps, me(c), c.req.valid('param').id, c.req.valid('json').up_to), 200),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/messages/{id}',
      tags,
      summary: "Edit one's own message",
      access,
      request: { params: s.IdParam, body: { ...json(s.EditMessageBody), required: true } },
      responses: {
        200: { description: 'Edited', ...json(s.MessageSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(await service.editMessage(deps, me(c), c.req.valid('param').id, c.req.valid('json').body), 200),
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/messages/{id}',
      tags,
      summary: "Delete one's own message: it stays in the thread as deleted, without its body",
      access,
      request: { params: s.IdParam },
      responses: {
        200: { description: 'Deleted', ...json(s.MessageSchema) },
        ...errorResponses(401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.deleteMessage(deps, me(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/messaging/contacts',
      tags,
      summary: 'The members the caller may start a direct conversation with, by name',
      description:
        'The same rule as `POST /api/conversations` decides (a student sees the school staff, the ' +
        'instructors of their courses, and students only when the school allows it). With `course_id`: ' +
        'that course\'s instructors the caller may write to (a student\'s "message the teacher").',
      access,
      request: { query: ContactQuery },
      responses: {
        200: { description: 'Members, by name', ...json(ContactListSchema) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await listContacts(deps, me(c), c.req.valid('query')), 200),
  )

  registerMessagingExtras(app, deps)

  return app
}
