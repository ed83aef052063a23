import { sql } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import type { Category, Channel, MailStatus, NotificationRow } from './tables.ts'

// Mail log

export async function listMails(
  db: Db,
  orgId: string,
  page: { limit: number; status?: MailStatus; after?: { at: string; id: string } },
) {
  let query = db.selectFrom('mail_outbox').selectAll().where('org_id', '=', orgId)
  if (page.status) query = query.where('status', '=', page.status)
  const after = page.after
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.at),
        eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)]),
      ]),
    )
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute()
}

// Inbox

/** Inserts the rows whose (recipient, key) is new, and answers those. */
export async function insertNotifications(db: Db, rows: NotificationRow[]): Promise<NotificationRow[]> {
  if (rows.length === 0) return []
  return db
    .insertInto('notifications')
    .values(rows)
    .onConflict((oc) => oc.columns(['org_id', 'user_id', 'key']).doNothing())
    .returningAll()
    .execute()
}

const unreadFirst = sql<number>`case when read_at is null then 1 else 0 end`

/** A member's notifications, unread first, then newest first. */
export async function inbox(
  db: Db,
  orgId: string,
  userId: string,
  page: { limit: number; after?: { unread: number; at: string; id: string } },
) {
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
  const after = page.after
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb(unreadFirst, '<', after.unread),
        eb.and([
          eb(unreadFirst, '=', after.unread),
          eb.or([
            eb('created_at', '<', after.at),
            eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)]),
          ]),
        ]),
      ]),
    )
  }
  return query
    .orderBy(unreadFirst, 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .execute()
}

export async function unreadCount(db: Db, orgId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

export async function getNotification(db: Db, orgId: string, userId: string, id: string) {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** Marks read a member's unread notifications: one, those of a group, or all. Answers how many. */
export async function markRead(
  db: Db,
  orgId: string,
  userId: string,
  at: string,
  which: { id: string } | { group: string } | 'all',
): Promise<number> {
  let query = db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
  if (which !== 'all') {
    query = 'id' in which ? query.where('id', '=', which.id) : query.where('group_key', '=', which.group)
  }
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

// E-mails of notifications

/** Unread notifications whose e-mail is due and not yet settled, oldest due first. */
export async function dueForEmail(db: Db, now: string, limit: number) {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('email_due_at', '<=', now)
    .where('emailed_at', 'is', null)
    .where('read_at', 'is', null)
    .orderBy('email_due_at')
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute()
}

/**
 * Settles these notifications' e-mail, if every one of them is still unread and unsettled: answers false
 * (and changes nothing that counts, the caller's transaction rolls back) when another run or a read came first.
 */
export async function settleEmail(db: Db, orgId: string, ids: string[], at: string): Promise<boolean> {
  const result = await db
    .updateTable('notifications')
    .set({ emailed_at: at })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('emailed_at', 'is', null)
    .where('read_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === ids.length
}

export async function postponeEmail(db: Db, orgId: string, ids: string[], until: string) {
  await db
    .updateTable('notifications')
    .set({ email_due_at: until })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('emailed_at', 'is', null)
    .execute()
}

// Preferences

export async function preferencesOf(db: Db, orgId: string, userIds: string[], category?: Category) {
  if (userIds.length === 0) return []
  let query = db
    .selectFrom('notification_preferences')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
  if (category) query = query.where('category', '=', category)
  return query.execute()
}

export async function setPreference(
  db: Db,
  orgId: string,
  userId: string,
  category: Category,
  channel: Channel,
  at: string,
) {
  await db
    .insertInto('notification_preferences')
    .values({ org_id: orgId, user_id: userId, category, channel, updated_at: at })
    .onConflict((oc) =>
      oc.columns(['org_id', 'user_id', 'category']).doUpdateSet({ channel, updated_at: at }),
    )
    .execute()
}
