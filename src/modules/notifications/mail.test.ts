import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase, testDialects } from '../../../test/helpers/databases.ts'
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from '../../../test/helpers/smtp.ts'
import { fixedClock } from '../../core/clock.ts'
import { smtpTransport } from './adapters/smtp.ts'
import { deliverMail, MAX_MAIL_ATTEMPTS, type MailDeps, queueMail, retryDelayMs } from './mail/outbox.ts'
import { renderMail } from './mail/render.ts'
import type { MailTransport } from './mail/transport.ts'

const PUBLIC_URL = 'https://lms.example.org'
const FROM = 'École Sillon <ecole@lms.example.org>'

describe('mail templates', () => {
  const params = { sender: 'Paul <b>Durand</b>', excerpt: 'a < b & "c"', count: 2, link: '/messages/c1' }

  it('writes the same e-mail in French and in English, as plain text and HTML in the shared layout', () => {
    const fr = renderMail('message.digest', 'fr', params, PUBLIC_URL)
    const en = renderMail('message.digest', 'en', params, PUBLIC_URL)
    expect(fr.subject).toBe('2 message(s) non lu(s) de Paul <b>Durand</b>')
    expect(en.subject).toBe('2 unread message(s) from Paul <b>Durand</b>')
    expect(fr.text).toContain('Lire la conversation : https://lms.example.org/messages/c1')
    expect(en.text).toContain('Read the conversation : https://lms.example.org/messages/c1')
    expect(fr.html).toContain('<html lang="fr">')
    expect(en.html).toContain('<html lang="en">')
    for (const html of [fr.html, en.html]) {
      expect(html).toContain('href="https://lms.example.org/messages/c1"')
      expect(html).toContain('Sillon</p>')
    }
  })

  it('escapes params in the HTML part, and keeps them on one line everywhere', () => {
    const mail = renderMail('message.digest', 'en', { ...params, sender: 'Eve\r\nBcc: x@y.z' }, PUBLIC_URL)
    expect(mail.subject).toBe('2 unread message(s) from Eve Bcc: x@y.z')
    expect(mail.html).toContain('a &lt; b &amp; &quot;c&quot;')
    expect(mail.html).not.toContain('a < b')
    const bold = renderMail('message.digest', 'en', params, PUBLIC_URL)
    expect(bold.html).toContain('Paul &lt;b&gt;Durand&lt;/b&gt;')
    expect(bold.html).not.toContain('<b>Durand')
  })

  it('refuses a missing param and a link that is not http(s)', () => {
    expect(() => renderMail('badge.awarded', 'fr', { link: '/' }, PUBLIC_URL)).toThrow(
      /needs the param "badge"/,
    )
    expect(() =>
      renderMail('badge.awarded', 'fr', { badge: 'x', link: 'javascript:alert(1)' }, PUBLIC_URL),
    ).toThrow(/http/)
  })

  it('sends account e-mails to no notification preferences, which do not govern them', () => {
    const invitation = { inviter: 'Ana', role: 'élève', expires: '14 décembre', link: '/join#token=t' }
    const account = renderMail('account.invitation', 'fr', invitation, PUBLIC_URL)
    expect(account.text).toContain('au sujet de votre compte')
    expect(account.text).not.toContain('préférences')
    expect(renderMail('message.digest', 'fr', params, PUBLIC_URL).text).toContain(
      'préférences de notification',
    )
  })

  it('waits longer after each failed attempt, at most an hour', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000])
    expect(retryDelayMs(MAX_MAIL_ATTEMPTS)).toBe(3_600_000)
  })
})

describe.each(testDialects())('the mail outbox on %s', (dialect) => {
  let database: TestDatabase
  const clock = fixedClock('2026-12-08T09:00:00.000Z')
  const servers: TestSmtpServer[] = []
  const transports: MailTransport[] = []

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
  })
  afterEach(async () => {
    for (const t of transports.splice(0)) t.close()
    await Promise.all(servers.splice(0).map((s) => s.close()))
    await database.db.deleteFrom('mail_outbox').execute()
  })
  afterAll(() => database.drop())

  function depsFor(url: string | null): MailDeps {
    const transport = url ? smtpTransport(url) : null
    if (transport) transports.push(transport)
    return { db: database.db, clock, mail: { transport, from: FROM, publicUrl: PUBLIC_URL } }
  }

  async function smtp(options: Parameters<typeof startSmtpServer>[0] = {}) {
    const server = await startSmtpServer(options)
    servers.push(server)
    return server
  }

  const mail = (to: string, key?: string) => ({
    orgId: null,
    to,
    locale: 'fr' as const,
    template: 'badge.awarded',
    params: { badge: 'Première <étape>', link: '/rewards' },
    key,
  })

  async function statusOf(to: string) {
    return database.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', to)
      .executeTakeFirstOrThrow()
  }

  it('sends a queued e-mail through the SMTP server with its headers, subject, text and HTML', async () => {
    const server = await smtp()
    const deps = depsFor(server.url)
    await queueMail(deps, mail('lea@example.org'))
    expect(await deliverMail(deps)).toEqual({ sent: 1, retried: 0, failed: 0 })
    const [received] = (await server.waitFor(1)) as [ReceivedMail]
    expect(received.envelopeTo).toEqual(['lea@example.org'])
    expect(received.from?.value).toEqual([{ name: 'École Sillon', address: 'ecole@lms.example.org' }])
    expect(received.to).toMatchObject({ value: [{ address: 'lea@example.org' }] })
    expect(received.subject).toBe('Nouveau badge : Première <étape>')
    expect(received.text).toContain('Bravo ! Vous avez obtenu le badge « Première <étape> » sur Sillon.')
    expect(received.text).toContain('https://lms.example.org/rewards')
    expect(received.html).toContain('Première &lt;étape&gt;')
    const row = await statusOf('lea@example.org')
    expect(received.messageId).toBe(`<${row.id}@lms.example.org>`)
    expect(row).toMatchObject({ status: 'sent', attempts: 1, sent_at: clock.now().toISOString() })
    expect(await deliverMail(deps)).toEqual({ sent: 0, retried: 0, failed: 0 })
    expect(server.received).toHaveLength(1)
  })

  it('keeps an e-mail while the SMTP server is down and delivers it once when it is back', async () => {
    // A port where an SMTP server was, and is no more.
    const gone = await startSmtpServer()
    const port = gone.port
    await gone.close()
    const deps = depsFor(`smtp://127.0.0.1:${port}`)
    await queueMail(deps, mail('paul@example.org'))
    expect(await deliverMail(deps)).toEqual({ sent: 0, retried: 1, failed: 0 })
    const waiting = await statusOf('paul@example.org')
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1, claimed_until: null })
    expect(waiting.last_error).toMatch(/ECONNREFUSED|connect/i)
    // Not due again before its delay.
    expect(await deliverMail(deps)).toEqual({ sent: 0, retried: 0, failed: 0 })

    const received: ReceivedMail[] = []
    const server = await smtp({ port, received })
    clock.advance(retryDelayMs(1))
    expect(await deliverMail(deps)).toEqual({ sent: 1, retried: 0, failed: 0 })
    await server.waitFor(1)
    await server.close()
    servers.splice(servers.indexOf(server), 1)

    // Restarted: nothing is sent again.
    const again = await smtp({ port, received })
    clock.advance(60 * 60_000)
    expect(await deliverMail(deps)).toEqual({ sent: 0, retried: 0, failed: 0 })
    expect(again.received).toHaveLength(1)
    expect(await statusOf('paul@example.org')).toMatchObject({ status: 'sent', attempts: 2 })
  })

  it('sends each e-mail once when two senders run at the same time', async () => {
    const server = await smtp()
    const [a, b] = [depsFor(server.url), depsFor(server.url)]
    for (let i = 0; i < 6; i++) await queueMail(a, mail(`student${i}@example.org`))
    const reports = await Promise.all([deliverMail(a, { batch: 2 }), deliverMail(b, { batch: 2 })])
    expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(6)
    await server.waitFor(6)
    const addresses = server.received.flatMap((m) => m.envelopeTo).sort()
    expect(addresses).toEqual([0, 1, 2, 3, 4, 5].map((i) => `student${i}@example.org`))
  })

  it('gives up at once on an address the server refuses for good', async () => {
    const server = await smtp({ reject: ['nobody@example.org'] })
    const deps = depsFor(server.url)
    await queueMail(deps, mail('nobody@example.org'))
    expect(await deliverMail(deps)).toEqual({ sent: 0, retried: 0, failed: 1 })
    const row = await statusOf('nobody@example.org')
    expect(row).toMatchObject({ status: 'failed', attempts: 1 })
    expect(row.last_error).toMatch(/550/)
  })

  it('queues one e-mail for one key, and keeps e-mails as not sent without an SMTP server', async () => {
    const deps = depsFor(null)
    await queueMail(deps, mail('lea@example.org', 'badge:1'))
    await queueMail(deps, mail('lea@example.org', 'badge:1'))
    const rows = await database.db.selectFrom('mail_outbox').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ status: 'not_sent', last_error: expect.stringMatching(/SMTP_URL/) })
    expect(await deliverMail(deps)).toEqual({ sent: 0, retried: 0, failed: 0 })
  })

  it('writes nothing when the transaction that queued the e-mail rolls back', async () => {
    const deps = depsFor(null)
    await expect(
      database.db.transaction().execute(async (trx) => {
        await queueMail({ ...deps, db: trx }, mail('rollback@example.org'))
        throw new Error('the cause failed')
      }),
    ).rejects.toThrow('the cause failed')
    expect(await database.db.selectFrom('mail_outbox').selectAll().execute()).toEqual([])
  })
})
