import type { Db } from '../../core/db/database.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { badRequest, notFound } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import * as identity from '../identity/index.ts'
import { deliveredLiveElsewhere, mailTemplateOf } from './kinds.ts'
import { type MailDeps, queueMail } from './mail/outbox.ts'
import { decodeCursor, encodeCursor, mailView, notificationView } from './presenters.ts'
import * as repo from './repository.ts'
import { type Category, type Channel, categories, type MailStatus, type NotificationRow } from './tables.ts'

/** An event pushed live to a member's open connections (messaging's realtime gateway). */
type RealtimeEvent = { type: 'notification.created'; data: unknown }

/** What notifications needs of the realtime gateway: live delivery, and whether someone is connected. */
type RealtimePort = {
  deliver(orgId: string, userIds: string[], event: RealtimeEvent): Promise<void>
  isOnline(orgId: string, userId: string): Promise<boolean>
}

export type NotificationsDeps = MailDeps & {
  identity: identity.IdentityDeps
  /** How long an unread message waits before it becomes an e-mail (MESSAGE_EMAIL_DELAY_MINUTES). */
  messageEmailDelayMs: number
  /** Live delivery; without it notifications wait in the inbox, and everyone counts as offline. */
  realtime?: RealtimePort
}

type Me = MemberIdentity
type Page = { limit: number; cursor?: string }

/** Until a member chooses: what they need to act on comes by e-mail, the rest stays in the app. */
export const DEFAULT_CHANNELS: Record<Category, Channel> = {
  messages: 'email',
  courses: 'email',
  reminders: 'in_app',
  achievements: 'in_app',
  billing: 'email',
}

const now = (deps: MailDeps) => deps.clock.now().toISOString()

function invalidCursor() {
  return badRequest('invalid_cursor', 'This cursor is not one of ours')
}

// Mail log

export async function mailLog(deps: MailDeps, me: Me, page: Page & { status?: MailStatus }) {
  let after: { at: string; id: string } | undefined
  if (page.cursor !== undefined) {
    const parts = decodeCursor(page.cursor)
    const [at, id] = parts ?? []
    if (parts?.length !== 2 || typeof at !== 'string' || typeof id !== 'string') throw invalidCursor()
    after = { at, id }
  }
  const rows = await repo.listMails(deps.db, me.orgId, { ...page, limit: page.limit + 1, after })
  const shown = rows.slice(0, page.limit)
  const last = shown.at(-1)
  return {
    data: shown.map(mailView),
    next_cursor: rows.length > page.limit && last ? encodeCursor([last.created_at, last.id]) : null,
    smtp_configured: deps.mail.transport !== null,
  }
}

// Notifying

export type NotifyInput = {
  /** Accounts, members of the school; the others are left out. */
  recipients: string[]
  category: Category
  /** What happened: `message.received`, `course.assigned`, `badge.awarded`, `student.at_risk`… */
  kind: string
  /** Derived from the cause: the same key twice never notifies a recipient twice. */
  key: string
  /** Notifications of one group (a conversation) are e-mailed together, once, when left unread. */
  group?: string
  /** Plain text, for the inbox title and the e-mail (escaped there). */
  params: Record<string, string | number>
  /** A path of the web app. */
  link?: string
  /** The person it is about (a message's author, a student at risk): their erasure removes it. */
  about?: string
}

async function channelsOf(deps: NotificationsDeps, orgId: string, userIds: string[], category: Category) {
  const chosen = await repo.preferencesOf(deps.db, orgId, userIds, category)
  const byUser = new Map(chosen.map((p) => [p.user_id, p.channel]))
  return (userId: string) => byUser.get(userId) ?? DEFAULT_CHANNELS[category]
}

async function schoolName(deps: NotificationsDeps, orgId: string) {
  return (await identity.getOrganisation(deps.identity, orgId)).name
}

/**
 * Notifies members of the school, each once per key, as their preference for the category says: in the
 * inbox (and live), and by e-mail, at once or, for a group (a conversation), when still unread after the
 * delay. Inbox rows and immediate e-mails are written in one transaction: the caller's, when `deps.db` is
 * one (a reactor's); then nothing is pushed live (the rows are not committed yet), the inbox shows them.
 */
export async function notify(deps: NotificationsDeps, orgId: string, input: NotifyInput): Promise<void> {
  const contacts = await identity.contactsOf(deps.identity, orgId, input.recipients)
  if (contacts.length === 0) return
  const channelOf = await channelsOf(
    deps,
    orgId,
    contacts.map((c) => c.user_id),
    input.category,
  )
  const at = now(deps)
  const dueLater = new Date(deps.clock.now().getTime() + deps.messageEmailDelayMs).toISOString()
  const rows: NotificationRow[] = contacts
    .filter((c) => channelOf(c.user_id) !== 'off')
    .map((c) => {
      const email = channelOf(c.user_id) === 'email'
      return {
        id: newId(),
        org_id: orgId,
        user_id: c.user_id,
        about_id: input.about ?? null,
        category: input.category,
        kind: input.kind,
        key: input.key,
        group_key: input.group ?? null,
        params_json: JSON.stringify(input.params),
        link: input.link ?? null,
        created_at: at,
        read_at: null,
        email_due_at: email && input.group !== undefined ? dueLater : null,
        emailed_at: email && input.group === undefined ? at : null,
      }
    })
  if (rows.length === 0) return
  const school = await schoolName(deps, orgId)
  const byUser = new Map(contacts.map((c) => [c.user_id, c]))
  const inTransaction = deps.db.isTransaction
  const write = <T>(work: (trx: Db) => Promise<T>) =>
    inTransaction ? work(deps.db) : deps.db.transaction().execute(work)
  const inserted = await write(async (trx) => {
    const added = await repo.insertNotifications(trx, rows)
    for (const row of added) {
      const contact = byUser.get(row.user_id)
      if (row.emailed_at === null || !contact) continue
      await queueMail(
        { ...deps, db: trx },
        {
          orgId,
          userId: row.user_id,
          to: contact.email,
          locale: contact.locale,
          template: mailTemplateOf(row.kind),
          params: { ...input.params, school, link: input.link ?? '/' },
          key: `notification:${row.id}`,
        },
      )
    }
    return added
  })
  if (!inTransaction) await pushLive(deps, orgId, inserted, byUser)
}

/**
 * Pushes each new notification to its recipient's open sockets: one live event per recipient (each has its
 * own id), so only to those connected now, at the same time. A new message's notification is not pushed:
 * the message itself arrives live (`message.created`), and a group of 200 would cost 200 events per post.
 */
async function pushLive(
  deps: NotificationsDeps,
  orgId: string,
  rows: NotificationRow[],
  contacts: Map<string, { locale: identity.Locale }>,
) {
  const realtime = deps.realtime
  if (!realtime) return
  const pushed = rows.filter((row) => !deliveredLiveElsewhere(row.kind))
  const online = await Promise.all(pushed.map((row) => realtime.isOnline(orgId, row.user_id)))
  await Promise.all(
    pushed
      .filter((_, i) => online[i])
      .map((row) =>
        realtime.deliver(orgId, [row.user_id], {
          type: 'notification.created',
          data: notificationView(row, contacts.get(row.user_id)?.locale ?? 'fr'),
        }),
      ),
  )
}

/** A group (a conversation) was read: its notifications are read, and none of them becomes an e-mail. */
export async function markGroupRead(
  deps: NotificationsDeps,
  orgId: string,
  userId: string,
  group: string,
): Promise<void> {
  await repo.markRead(deps.db, orgId, userId, now(deps), { group })
}

// Inbox

async function localeOf(deps: NotificationsDeps, me: Me): Promise<identity.Locale> {
  const [contact] = await identity.contactsOf(deps.identity, me.orgId, [me.userId])
  return contact?.locale ?? 'fr'
}

export async function listNotifications(deps: NotificationsDeps, me: Me, page: Page) {
  let after: { unread: number; at: string; id: string } | undefined
  if (page.cursor !== undefined) {
    const parts = decodeCursor(page.cursor)
    const [unread, at, id] = parts ?? []
    if (
      parts?.length !== 3 ||
      (unread !== 0 && unread !== 1) ||
      typeof at !== 'string' ||
      typeof id !== 'string'
    ) {
      throw invalidCursor()
    }
    after = { unread, at, id }
  }
  const [rows, unreadCount, locale] = await Promise.all([
    repo.inbox(deps.db, me.orgId, me.userId, { limit: page.limit + 1, after }),
    repo.unreadCount(deps.db, me.orgId, me.userId),
    localeOf(deps, me),
  ])
  const shown = rows.slice(0, page.limit)
  const last = shown.at(-1)
  return {
    data: shown.map((row) => notificationView(row, locale)),
    next_cursor:
      rows.length > page.limit && last
        ? encodeCursor([last.read_at === null ? 1 : 0, last.created_at, last.id])
        : null,
    unread_count: unreadCount,
  }
}

export async function readNotification(deps: NotificationsDeps, me: Me, id: string) {
  const row = await repo.getNotification(deps.db, me.orgId, me.userId, id)
  if (!row) throw notFound('Notification')
  const at = now(deps)
  await repo.markRead(deps.db, me.orgId, me.userId, at, { id })
  return notificationView({ ...row, read_at: row.read_at ?? at }, await localeOf(deps, me))
}

export async function readAllNotifications(deps: NotificationsDeps, me: Me) {
  const marked = await repo.markRead(deps.db, me.orgId, me.userId, now(deps), 'all')
  return { marked, unread_count: await repo.unreadCount(deps.db, me.orgId, me.userId) }
}

// Preferences

export async function preferences(deps: NotificationsDeps, me: Me): Promise<Record<Category, Channel>> {
  const chosen = await repo.preferencesOf(deps.db, me.orgId, [me.userId])
  const result = { ...DEFAULT_CHANNELS }
  for (const p of chosen) result[p.category] = p.channel
  return result
}

export async function setPreferences(
  deps: NotificationsDeps,
  me: Me,
  change: Partial<Record<Category, Channel>>,
) {
  const at = now(deps)
  await deps.db.transaction().execute(async (trx: Db) => {
    for (const category of categories) {
      const channel = change[category]
      if (channel) await repo.setPreference(trx, me.orgId, me.userId, category, channel, at)
    }
  })
  return preferences(deps, me)
}
