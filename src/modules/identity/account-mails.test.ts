import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createMember, createOrg, PASSWORD, signedInMember, signIn } from '../../../test/helpers/factories.ts'
import { startSmtpServer } from '../../../test/helpers/smtp.ts'
import { deliverMail } from '../notifications/mail/outbox.ts'

const STRONG = 'violet-harbour-lantern'
const NEWER = 'copper-meadow-whistle'

const tokenOfLink = (text: string) => {
  const match = /\/reset-password#token=([\w-]+)/.exec(text)
  if (!match?.[1]) throw new Error(`no reset link in: ${text}`)
  return match[1]
}

describe.each(testDialects())('account e-mails on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let otherOrgId: string
  let admin: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    otherOrgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  const mailsTo = (to: string) =>
    t.database.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', to)
      .orderBy('created_at')
      .orderBy('id')
      .execute()

  async function resetMailOf(email: string) {
    const mails = (await mailsTo(email)).filter((m) => m.template === 'account.password-reset')
    const last = mails.at(-1)
    if (!last) throw new Error(`no reset e-mail for ${email}`)
    return { mail: last, token: tokenOfLink(last.text_body), count: mails.length }
  }

  it('e-mails an invitation with the school, the inviter, the role, the link and its expiry, in the school language', async () => {
    const res = await admin.client.post('/api/invitations', {
      email: 'Nina@Example.org',
      role: 'instructor',
      expires_in_days: 7,
    })
    expect(res.status).toBe(201)

    const [mail, ...more] = await mailsTo('nina@example.org')
    expect(more).toEqual([])
    expect(mail).toMatchObject({ org_id: orgId, locale: 'fr', template: 'account.invitation' })
    const school = (
      await t.client().post('/api/invitations/preview', { token: res.body.url.split('#token=')[1] })
    ).body.organisation.name
    expect(mail?.subject).toBe(`Invitation à rejoindre ${school}`)
    expect(mail?.text_body).toContain('Test admin vous invite à rejoindre')
    expect(mail?.text_body).toContain('en tant que enseignant')
    expect(mail?.text_body).toContain(res.body.url)
    expect(mail?.text_body).toMatch(/expire le \d{1,2} \S+ \d{4}/)
  })

  it('e-mails each invitation of a bulk import, in the transaction of the import', async () => {
    const csv = 'name,email\nAda One,ada1@example.org\nAda Two,ada2@example.org\n'
    const res = await admin.client.post('/api/members/import', { csv, create_classes: false })
    expect(res.status).toBe(201)
    for (const invitation of res.body.invitations as { email: string; url: string }[]) {
      const mails = await mailsTo(invitation.email)
      expect(mails.map((m) => m.template)).toEqual(['account.invitation'])
      expect(mails[0]?.text_body).toContain(invitation.url)
    }

    const refused = 'name,email\nAda Three,ada3@example.org\nNobody,not-an-address\n'
    expect(
      (await admin.client.post('/api/members/import', { csv: refused, create_classes: false })).status,
    ).toBe(400)
    expect(await mailsTo('ada3@example.org')).toEqual([])
  })

  it('answers a reset request the same for a known address, in any school, and an unknown one', async () => {
    const here = await createMember(t, orgId, 'student')
    const there = await createMember(t, otherOrgId, 'instructor')
    const answers = []
    for (const email of [here.email, there.email, 'nobody-here@example.org']) {
      const started = performance.now()
      const res = await t.client().post('/api/auth/password/forgot', { email })
      // Each answer waits until the same floor, known address or not.
      expect(performance.now() - started).toBeGreaterThanOrEqual(195)
      answers.push({ status: res.status, body: res.body })
    }
    expect(answers).toEqual([answers[0], answers[0], answers[0]])
    expect(answers[0]?.status).toBe(202)

    for (const member of [here, there]) {
      const { mail } = await resetMailOf(member.email)
      expect(mail).toMatchObject({ org_id: null, user_id: member.userId, locale: 'fr' })
      expect(mail.subject).toBe('Réinitialiser votre mot de passe')
    }
    expect(await mailsTo('nobody-here@example.org')).toEqual([])
    const bad = await t.client().post('/api/auth/password/forgot', { email: 'not an address' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('validation_failed')
  })

  it('resets the password once with the e-mailed link, signs every session out and confirms it by e-mail', async () => {
    const member = await createMember(t, orgId, 'student')
    const session = await signIn(t, member.email)
    expect((await t.client().post('/api/auth/password/forgot', { email: member.email })).status).toBe(202)
    const { token } = await resetMailOf(member.email)

    const weak = await t.client().post('/api/auth/password/reset', { token, new_password: 'password1' })
    expect(weak.status).toBe(400)
    expect(weak.body.error.code).toBe('weak_password')

    const reset = await t.client().post('/api/auth/password/reset', { token, new_password: STRONG })
    expect(reset.status).toBe(204)
    expect((await session.get('/api/auth/me')).status).toBe(401)
    expect(
      (await t.client().post('/api/auth/login', { email: member.email, password: PASSWORD })).status,
    ).toBe(401)
    await signIn(t, member.email, STRONG)

    const again = await t.client().post('/api/auth/password/reset', { token, new_password: NEWER })
    expect(again.status).toBe(400)
    expect(again.body.error.code).toBe('reset_link_invalid')
    const confirmations = (await mailsTo(member.email)).filter(
      (m) => m.template === 'account.password-changed',
    )
    expect(confirmations).toHaveLength(1)
    expect(confirmations[0]?.text_body).toContain(member.email)
  })

  it('refuses an expired or unknown reset token, and keeps no usable token in the database', async () => {
    const member = await createMember(t, orgId, 'student')
    await t.client().post('/api/auth/password/forgot', { email: member.email })
    const { token } = await resetMailOf(member.email)
    const rows = await t.database.db.selectFrom('auth_verifications').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(token)

    await t.database.db
      .updateTable('auth_verifications')
      .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
      .where('value', '=', member.userId)
      .execute()
    for (const candidate of [token, 'x'.repeat(24)]) {
      const res = await t
        .client()
        .post('/api/auth/password/reset', { token: candidate, new_password: STRONG })
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('reset_link_invalid')
    }
    await signIn(t, member.email)
  })

  it('sends an account at most 3 reset e-mails in 15 minutes, answering every request the same', async () => {
    const member = await createMember(t, orgId, 'student')
    for (let i = 0; i < 5; i++) {
      expect((await t.client().post('/api/auth/password/forgot', { email: member.email })).status).toBe(202)
    }
    expect((await resetMailOf(member.email)).count).toBe(3)
    t.clock.advance(15 * 60_000)
    await t.client().post('/api/auth/password/forgot', { email: member.email })
    expect((await resetMailOf(member.email)).count).toBe(4)
  })

  it('confirms a password change to the account address; the address itself cannot be changed', async () => {
    const member = await signedInMember(t, orgId, 'instructor')
    const res = await member.client.post('/api/auth/password', {
      current_password: PASSWORD,
      new_password: STRONG,
      sign_out_other_sessions: false,
    })
    expect(res.status).toBe(204)
    const [mail, ...more] = (await mailsTo(member.email)).filter(
      (m) => m.template === 'account.password-changed',
    )
    expect(more).toEqual([])
    expect(mail).toMatchObject({ org_id: null, user_id: member.userId, locale: 'fr' })
    expect(mail?.subject).toBe('Votre mot de passe a été changé')

    const refused = await member.client.post('/api/auth/password', {
      current_password: 'wrong-password',
      new_password: NEWER,
      sign_out_other_sessions: false,
    })
    expect(refused.status).toBe(400)
    expect(
      (await mailsTo(member.email)).filter((m) => m.template === 'account.password-changed'),
    ).toHaveLength(1)
  })

  it('writes account e-mails in the account language', async () => {
    const member = await signedInMember(t, orgId, 'student')
    expect((await member.client.patch('/api/auth/me', { locale: 'en' })).status).toBe(200)
    await t.client().post('/api/auth/password/forgot', { email: member.email })
    const { mail } = await resetMailOf(member.email)
    expect(mail).toMatchObject({ locale: 'en', subject: 'Reset your password' })
  })

  // Last of the file: it uses up this client address's reset requests for a minute.
  it('limits reset requests from one client address to 20 a minute, with 429 and retry_after_seconds', async () => {
    const statuses = []
    for (let i = 0; i < 21; i++) {
      const res = await t.client().post('/api/auth/password/forgot', { email: `flood-${i}@example.org` })
      statuses.push(res.status)
      if (res.status === 429) {
        expect(res.body.error.code).toBe('rate_limited')
        expect(res.body.error.details.retry_after_seconds).toBeGreaterThan(0)
      }
    }
    expect(statuses.at(-1)).toBe(429)
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(20)
  })
})

describe('a password reset through a real SMTP server', () => {
  it('delivers a link that resets the password once and is refused the second time', async () => {
    const smtp = await startSmtpServer()
    const t = await startTestApp(testDialects()[0] ?? 'sqlite', { env: { SMTP_URL: smtp.url } })
    try {
      const orgId = (await createOrg(t)).id
      const member = await createMember(t, orgId, 'student')
      expect((await t.client().post('/api/auth/password/forgot', { email: member.email })).status).toBe(202)
      await deliverMail(t.notifications)
      const [received] = await smtp.waitFor(1)
      expect(received?.envelopeTo).toEqual([member.email])
      expect(received?.subject).toBe('Réinitialiser votre mot de passe')
      const link = new URL(
        /https?:\/\/\S+\/reset-password#token=[\w-]+/.exec(received?.text ?? '')?.[0] ?? '',
      )
      expect(link.origin).toBe(t.url)
      expect(received?.html).toContain(`href="${link.href}"`)
      const token = link.hash.replace('#token=', '')

      expect(
        (await t.client().post('/api/auth/password/reset', { token, new_password: STRONG })).status,
      ).toBe(204)
      await signIn(t, member.email, STRONG)
      const replay = await t.client().post('/api/auth/password/reset', { token, new_password: NEWER })
      expect(replay.status).toBe(400)
      expect(replay.body.error.code).toBe('reset_link_invalid')
    } finally {
      await t.close()
      await smtp.close()
    }
  })
})
