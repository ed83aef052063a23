import { parseJson } from '../../core/db/json.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import * as identity from '../identity/index.ts'
import { mailTemplateOf } from './kinds.ts'
import { queueMail } from './mail/outbox.ts'
import type { MailParams } from './mail/render.ts'
import * as repo from './repository.ts'
import { DEFAULT_CHANNELS, type NotificationsDeps } from './service.ts'
import type { NotificationRow } from './tables.ts'

/** Notifications of one recipient and one group (a conversation), e-mailed as one. */
function groupsOf(rows: NotificationRow[]): NotificationRow[][] {
  const groups = new Map<string, NotificationRow[]>()
  for (const row of rows) {
    const key = `${row.org_id}\u0000${row.user_id}\u0000${row.group_key ?? row.id}`
    groups.set(key, [...(groups.get(key) ?? []), row])
  }
  return [...groups.values()]
}

/** The params of the e-mail of a group: its latest notification's, with how many and from whom. */
function digestParams(rows: NotificationRow[]): MailParams {
  const params = rows.map((r) => parseJson<MailParams>(r.params_json, {}))
  const latest = params.at(-1) ?? {}
  const senders = [...new Set(params.flatMap((p) => (p.sender === undefined ? [] : [String(p.sender)])))]
  return {
    ...latest,
    count: rows.length,
    ...(senders.length > 0 ? { sender: senders.join(', ') } : {}),
  }
}

type DigestReport = { emailed: number; postponed: number; dropped: number }

/**
 * Turns the notifications left unread past their delay into e-mails, one per recipient and group, queued in
 * the transaction that settles them: a run that repeats, or races another, e-mails nothing twice. A
 * recipient connected right now is given another delay instead (they see it live); one who chose since
 * not to get e-mails, or who left the school, gets none.
 */
export async function sendDigests(deps: NotificationsDeps, options: { limit?: number } = {}) {
  const report: DigestReport = { emailed: 0, postponed: 0, dropped: 0 }
  const nowDate = deps.clock.now()
  const at = nowDate.toISOString()
  const due = await repo.dueForEmail(deps.db, at, options.limit ?? 500)
  for (const rows of groupsOf(due)) {
    const first = rows[0]
    const latest = rows.at(-1)
    if (!first || !latest) continue
    const { org_id: orgId, user_id: userId } = first
    const ids = rows.map((r) => r.id)
    if (await deps.realtime?.isOnline(orgId, userId)) {
      const later = new Date(nowDate.getTime() + deps.messageEmailDelayMs).toISOString()
      await repo.postponeEmail(deps.db, orgId, ids, later)
      report.postponed++
      continue
    }
    const [contact] = await identity.contactsOf(deps.identity, orgId, [userId])
    const [preference] = await repo.preferencesOf(deps.db, orgId, [userId], first.category)
    const wantsEmail = (preference?.channel ?? DEFAULT_CHANNELS[first.category]) === 'email'
    const school = (await identity.getOrganisation(deps.identity, orgId)).name
    const emailed = await deps.db
      .transaction()
      .execute(async (trx) => {
        if (!(await repo.settleEmail(trx, orgId, ids, at))) {
          // Read, or settled by another run, since it was listed: leave it to what came first.
          throw new SettledElsewhere()
        }
        if (!contact || !wantsEmail) return false
        await queueMail(
          { ...deps, db: trx },
          {
            orgId,
            userId,
            to: contact.email,
            locale: contact.locale,
            template: mailTemplateOf(latest.kind),
            params: { ...digestParams(rows), school, link: latest.link ?? '/' },
            key: `digest:${orgId}:${userId}:${latest.id}`,
          },
        )
        return true
      })
      .catch((err: unknown) => {
        if (err instanceof SettledElsewhere) return false
        throw err
      })
    if (emailed) report.emailed++
    else report.dropped++
  }
  return report
}

class SettledElsewhere extends Error {}

/** Every minute, on one node, e-mails what was left unread past its delay. */
export function digestJob(deps: NotificationsDeps): ScheduledJob {
  return {
    name: 'notifications.send-digests',
    description: 'e-mails the notifications left unread past their delay, one digest per conversation',
    schedule: { cron: '* * * * *', timezone: 'UTC' },
    timeoutMs: 5 * 60_000,
    retries: 0,
    run: () => sendDigests(deps),
  }
}
