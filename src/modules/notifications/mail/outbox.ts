import type { Clock } from '../../../core/clock.ts'
import type { Db } from '../../../core/db/database.ts'
import { newId } from '../../../core/ids.ts'
import type { ScheduledJob } from '../../../core/jobs/job.ts'
import type { Locale } from '../../identity/index.ts'
import type { MailRow } from '../tables.ts'
import { type MailParams, renderMail } from './render.ts'
import { isMailTemplate } from './templates.ts'
import { type MailTransport, PermanentMailError } from './transport.ts'

type MailSettings = {
  /** null when no SMTP server is configured (SMTP_URL): mails are kept as `not_sent`, for the mail log. */
  transport: MailTransport | null
  /** MAIL_FROM: `Name <address>`. */
  from: string
  /** Links in e-mails are made absolute against it. */
  publicUrl: string
}

/** What the mail layer needs; pass a transaction as `db` to queue a mail with what caused it. */
export type MailDeps = { db: Db; clock: Clock; mail: MailSettings }

export type NewMail = {
  /** The school the mail belongs to (its mail log); null for an account's own mails. */
  orgId: string | null
  /** The recipient's account, when they have one (privacy export and erasure find the mail by it). */
  userId?: string | null
  to: string
  locale: Locale
  template: string
  params: MailParams
  /** The same key twice queues one mail: derive it from the cause (`reset:<token id>`). */
  key?: string
}

/** Tries before a mail is given up: with the backoff below, about seven hours of outage. */
export const MAX_MAIL_ATTEMPTS = 12
/** How long a sender holds a mail it is sending; longer than nodemailer's timeouts (adapters/smtp.ts). */
const CLAIM_MS = 2 * 60_000

/** The wait after the n-th failed attempt: 30 s, doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 60 * 60_000)
}

/**
 * Renders the mail in the recipient's language and stores it in the outbox (in `deps.db`, which may be the
 * caller's transaction): the sender job delivers it. Without an SMTP server it is kept as `not_sent`.
 * An unknown template or a missing param throws: a programming error, found where it is made.
 */
export async function queueMail(deps: MailDeps, mail: NewMail): Promise<void> {
  if (!isMailTemplate(mail.template)) throw new Error(`no mail template named ${mail.template}`)
  const rendered = renderMail(mail.template, mail.locale, mail.params, deps.mail.publicUrl)
  const at = deps.clock.now().toISOString()
  await deps.db
    .insertInto('mail_outbox')
    .values({
      id: newId(),
      org_id: mail.orgId,
      user_id: mail.userId ?? null,
      to_address: mail.to,
      locale: mail.locale,
      template: mail.template,
      subject: rendered.subject,
      text_body: rendered.text,
      html_body: rendered.html,
      dedupe_key: mail.key ?? null,
      status: deps.mail.transport ? 'queued' : 'not_sent',
      attempts: 0,
      next_attempt_at: at,
      claimed_until: null,
      last_error: deps.mail.transport ? null : 'No SMTP server is configured (SMTP_URL)',
      created_at: at,
      sent_at: null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute()
}

/** Claims a due mail for this sender: only one sender, on any node, wins it until the claim expires. */
async function claim(db: Db, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('mail_outbox')
    .set({ claimed_until: new Date(new Date(now).getTime() + CLAIM_MS).toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

async function dueMails(db: Db, now: string, limit: number): Promise<MailRow[]> {
  return db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('status', '=', 'queued')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute()
}

function messageIdOf(row: MailRow, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'sillon.invalid'
  return `<${row.id}@${domain}>`
}

export type DeliveryReport = { sent: number; retried: number; failed: number }

/**
 * Sends the due mails of the outbox, each claimed first so that two senders never send the same one. A
 * failure puts the mail back with a growing delay (`retryDelayMs`), or gives it up as `failed` when the
 * server refused it for good or after MAX_MAIL_ATTEMPTS. A mail is sent twice only if the process dies
 * between the server's acceptance and its recording; the copy carries the same Message-ID.
 */
export async function deliverMail(
  deps: MailDeps,
  options: { batch?: number; signal?: AbortSignal } = {},
): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 }
  const transport = deps.mail.transport
  if (!transport) return report
  const tried = new Set<string>()
  for (;;) {
    const now = deps.clock.now().toISOString()
    const due = (await dueMails(deps.db, now, options.batch ?? 20)).filter((row) => !tried.has(row.id))
    if (due.length === 0 || options.signal?.aborted) return report
    for (const row of due) {
      tried.add(row.id)
      if (options.signal?.aborted) return report
      if (!(await claim(deps.db, row.id, now))) continue
      try {
        await transport.send({
          from: deps.mail.from,
          to: row.to_address,
          subject: row.subject,
          text: row.text_body,
          html: row.html_body,
          messageId: messageIdOf(row, deps.mail.from),
        })
        await settle(deps.db, row.id, {
          status: 'sent',
          sent_at: deps.clock.now().toISOString(),
          attempts: row.attempts + 1,
          last_error: null,
        })
        report.sent++
      } catch (err) {
        const attempts = row.attempts + 1
        const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000)
        const giveUp = err instanceof PermanentMailError || attempts >= MAX_MAIL_ATTEMPTS
        await settle(deps.db, row.id, {
          status: giveUp ? 'failed' : 'queued',
          attempts,
          last_error: error,
          next_attempt_at: new Date(deps.clock.now().getTime() + retryDelayMs(attempts)).toISOString(),
        })
        if (giveUp) report.failed++
        else report.retried++
      }
    }
  }
}

async function settle(db: Db, id: string, values: Partial<MailRow>) {
  await db
    .updateTable('mail_outbox')
    .set({ ...values, claimed_until: null })
    .where('id', '=', id)
    .execute()
}

/** Every 30 seconds, on one node, sends what the outbox holds. */
export function sendMailJob(deps: MailDeps): ScheduledJob {
  return {
    name: 'notifications.send-mail',
    description: 'sends the e-mails of the outbox, trying again later while the SMTP server is unreachable',
    schedule: { cron: '*/30 * * * * *', timezone: 'UTC' },
    timeoutMs: 5 * 60_000,
    retries: 0,
    run: (ctx) => deliverMail(deps, { signal: ctx.signal }),
  }
}
