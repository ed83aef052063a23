import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

export function notificationRoutes(deps: service.NotificationsDeps) {
  const app = createRouter()
  const tags = ['Notifications']
  const own = may('notifications.own')
  const me = (c: Context<AppEnv>) => c.get('member')

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/notifications',
      tags,
      summary: "The caller's notifications in this school, unread first, then newest first",
      description:
        'Live as `notification.created` events on the realtime connection (same item shape). ' +
        '`unread_count` counts every unread notification, not only this page.',
      access: own,
      request: { query: s.PageQuery },
      responses: {
        200: { description: 'A page of notifications', ...json(s.NotificationPageSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await service.listNotifications(deps, me(c), c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/me/notifications/{id}/read',
      tags,
      summary: 'Mark one notification read',
      access: own,
      request: { params: s.IdParam },
      responses: {
        200: { description: 'The notification, read', ...json(s.NotificationSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.readNotification(deps, me(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/me/notifications/read-all',
      tags,
      summary: "Mark all the caller's notifications read",
      access: own,
      responses: {
        200: { description: 'How many were marked', ...json(s.ReadAllResultSchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await service.readAllNotifications(deps, me(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/notification-preferences',
      tags,
      summary: 'How each category of notification reaches the caller',
      access: own,
      responses: {
        200: { description: 'One channel per category', ...json(s.PreferencesSchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await service.preferences(deps, me(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/api/me/notification-preferences',
      tags,
      summary: 'Choose how categories of notification reach the caller',
      description: 'Categories left out keep their channel.',
      access: own,
      request: { body: { ...json(s.PreferencesBody), required: true } },
      responses: {
        200: { description: 'Every category, after the change', ...json(s.PreferencesSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await service.setPreferences(deps, me(c), c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/admin/mail-log',
      tags,
      summary: 'Every e-mail written for members of the school, newest first',
      description:
        'Sent, waiting (again) or failed, with the last error. Without an SMTP server (`SMTP_URL`), ' +
        'e-mails are not sent but kept here as `not_sent` (`smtp_configured` is false). The text of ' +
        'e-mails holding a secret link (password resets) is never shown.',
      access: may('notifications.mail-log'),
      request: { query: s.MailLogQuery },
      responses: {
        200: { description: 'A page of e-mails', ...json(s.MailPageSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await service.mailLog(deps, me(c), c.req.valid('query')), 200),
  )

  return app
}
