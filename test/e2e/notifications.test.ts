import { type APIRequestContext, request } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import {
  browserAvailable,
  DEMO_PASSWORD,
  openPage,
  overflowsSideways,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// The header's bell and its inbox, the notification preferences, and the administrators' mail log, as the
// demo school's people see them. Léa (a student) and Julien (her teacher) also act through the API, as a
// second device would: what one does reaches the other's bell without a reload.

const apis: APIRequestContext[] = []

/** A signed-in API client for a demo account (a second device). */
async function apiAs(baseURL: string, email: string) {
  const api = await request.newContext({ baseURL })
  apis.push(api)
  const login = await api.post('/api/auth/login', { data: { email, password: DEMO_PASSWORD } })
  if (!login.ok()) throw new Error(`${email} could not sign in: ${login.status()}`)
  return api
}

/** Opens (or finds) the direct conversation with the member named `name`, and returns a way to write in it. */
async function conversationWith(api: APIRequestContext, name: string) {
  const contacts = (await (
    await api.get(`/api/messaging/contacts?query=${encodeURIComponent(name)}`)
  ).json()) as { data: { member_id: string; name: string }[] }
  const contact = contacts.data.find((c) => c.name === name)
  if (!contact) throw new Error(`${name} is not among the contacts`)
  const res = await api.post('/api/conversations', { data: { member_id: contact.member_id } })
  if (!res.ok()) throw new Error(`no conversation: ${res.status()} ${await res.text()}`)
  const { id } = (await res.json()) as { id: string }
  let n = 0
  return {
    id,
    write: async (body: string) => {
      const sent = await api.post(`/api/conversations/${id}/messages`, {
        data: { client_id: `e2e-${id}-${++n}`, body },
      })
      if (!sent.ok()) throw new Error(`message not sent: ${sent.status()} ${await sent.text()}`)
    },
  }
}

afterAll(async () => {
  await Promise.all(apis.map((api) => api.dispose()))
})

describe.skipIf(!browserAvailable)('notifications in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('a message from a student lights the teacher’s bell live; marking one, then all, read brings the count down', async () => {
    const { page, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'prof@demo.sillon.test')
    const bell = (name: string) => page.getByRole('button', { name, exact: true })
    await bell('Notifications, aucune non lue').waitFor()

    const lea = await conversationWith(await apiAs(e2e.server.url, 'lea@demo.sillon.test'), 'Julien Moreau')
    await lea.write('Bonjour, je ne comprends pas la question 3.')
    // No reload: the notification comes to the open page.
    await bell('Notifications, 1 non lue').waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('notification-count').textContent()).toBe('1')

    await bell('Notifications, 1 non lue').click()
    const inbox = page.getByRole('dialog', { name: 'Notifications' })
    const item = inbox.getByTestId('notification-item').first()
    await item.getByText('Nouveau message de Léa Martin').waitFor()
    await item.getByText('Bonjour, je ne comprends pas la question 3.').waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await item.getByRole('button', { name: 'Marquer comme lue' }).click()
    await bell('Notifications, aucune non lue').waitFor()
    await item.getByRole('button', { name: 'Marquer comme lue' }).waitFor({ state: 'detached' })
    expect(await page.getByTestId('notification-count').count()).toBe(0)

    // Two more, while the inbox is open: the newest unread come first, then all are marked read at once.
    await lea.write('Et la question 4 aussi.')
    await lea.write('Merci !')
    await bell('Notifications, 2 non lues').waitFor({ timeout: 30_000 })
    await expect
      .poll(async () => (await inbox.getByTestId('notification-item').allTextContents()).slice(0, 3))
      .toEqual([
        expect.stringContaining('Merci !'),
        expect.stringContaining('Et la question 4 aussi.'),
        expect.stringContaining('la question 3'),
      ])
    await inbox.getByRole('button', { name: 'Tout marquer comme lu' }).click()
    await bell('Notifications, aucune non lue').waitFor()
    await inbox.getByRole('button', { name: 'Marquer comme lue' }).first().waitFor({ state: 'detached' })

    // A new one opened from the inbox leads to its conversation, and is read.
    await lea.write('Je vous attends en salle 12.')
    await bell('Notifications, 1 non lue').waitFor({ timeout: 30_000 })
    await inbox.getByText('Je vous attends en salle 12.').click()
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/messages/${lea.id}`)
    await bell('Notifications, aucune non lue').waitFor()
    expect(errors).toEqual([])
  }, 90_000)

  it('a student on a phone chooses how she is notified; the choice is kept and followed', async () => {
    const { page, errors } = await openPage(e2e.browser, { width: 375, height: 740 })
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    // The bell fits in the phone's header, and its inbox on the screen: the demo course, given to her when
    // the school was created.
    await page.getByRole('button', { name: /^Notifications, / }).click()
    const inbox = page.getByRole('dialog', { name: 'Notifications' })
    await inbox.getByText('Nouveau parcours : Découvrir le système solaire').waitFor()
    expect(await overflowsSideways(page)).toBe(false)
    await page.getByRole('link', { name: 'Choisir mes notifications' }).click()
    await page.getByRole('heading', { name: 'Mes notifications', level: 1 }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/profile/notifications')

    const messages = page.getByRole('radiogroup', { name: 'Messages' })
    const achievements = page.getByRole('radiogroup', { name: 'Badges et réussites' })
    await messages.getByRole('radio', { name: 'Dans Sillon', exact: true }).waitFor()
    expect(await messages.getByRole('radio', { name: 'Désactivées' }).isChecked()).toBe(false)
    expect(await seriousViolations(page)).toEqual([])
    expect(await overflowsSideways(page)).toBe(false)

    await messages.getByRole('radio', { name: 'Désactivées' }).check()
    await achievements.getByRole('radio', { name: 'Dans Sillon et par e-mail' }).check()
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await page.getByText('Vos choix de notifications sont enregistrés.').waitFor()

    // Kept: after a reload, and on the server.
    await page.reload()
    await messages.getByRole('radio', { name: 'Désactivées' }).waitFor()
    expect(await messages.getByRole('radio', { name: 'Désactivées' }).isChecked()).toBe(true)
    expect(await achievements.getByRole('radio', { name: 'Dans Sillon et par e-mail' }).isChecked()).toBe(
      true,
    )
    const leaApi = await apiAs(e2e.server.url, 'lea@demo.sillon.test')
    expect(await (await leaApi.get('/api/me/notification-preferences')).json()).toMatchObject({
      messages: 'off',
      achievements: 'email',
    })

    // Followed: her teacher's message notifies her no more (the notification is written before he is answered).
    const julien = await conversationWith(await apiAs(e2e.server.url, 'prof@demo.sillon.test'), 'Léa Martin')
    await julien.write('Bonjour Léa, pensez à la question 3.')
    const listed = (await (await leaApi.get('/api/me/notifications')).json()) as { data: { kind: string }[] }
    expect(listed.data.filter((n) => n.kind === 'message.received')).toEqual([])

    // The same page in English.
    await page.getByRole('button', { name: /^Langue : / }).click()
    await page.getByRole('menuitem', { name: 'English' }).click()
    await page.getByRole('heading', { name: 'My notifications', level: 1 }).waitFor()
    expect(
      await page
        .getByRole('radiogroup', { name: 'Messages' })
        .getByRole('radio', { name: 'Off' })
        .isChecked(),
    ).toBe(true)
    expect(await seriousViolations(page)).toEqual([])
    // The inbox speaks English too, from what each notification is about.
    await page.getByRole('button', { name: /^Notifications, / }).click()
    await inbox.getByText('New learning path: Découvrir le système solaire').waitFor()
    expect(errors).toEqual([])
  }, 90_000)

  it('the owner reads the mail log: e-mails recorded, not sent, without an SMTP server, filtered by status', async () => {
    // The owner invites someone: the invitation is an e-mail, which no SMTP server takes here.
    const owner = await apiAs(e2e.server.url, 'direction@demo.sillon.test')
    const invited = await owner.post('/api/invitations', {
      data: { email: 'camille.petit@example.org', role: 'student' },
    })
    expect(invited.status()).toBe(201)

    // A teacher has no mail log.
    const teacher = await openPage(e2e.browser)
    await signIn(teacher.page, e2e.server.url, 'prof@demo.sillon.test')
    await teacher.page.getByRole('link', { name: 'Messages' }).waitFor()
    expect(await teacher.page.getByRole('link', { name: 'Journal des e-mails' }).count()).toBe(0)

    const { page, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('link', { name: 'Journal des e-mails' }).click()
    await page.getByRole('heading', { name: 'Journal des e-mails', level: 1 }).waitFor()
    await page.getByText('Aucun serveur d’e-mail n’est configuré').waitFor()
    await page.getByText('Les e-mails sont enregistrés ici, pas envoyés.', { exact: false }).waitFor()
    const row = page.getByTestId('mail-row').filter({ hasText: 'camille.petit@example.org' })
    await row.getByText('Non envoyé').waitFor()
    await row.getByText('account.invitation', { exact: false }).waitFor()
    // Its link lets someone into the school: the log shows the subject, never the text.
    await row.getByText('Texte masqué : cet e-mail contient un lien secret.').waitFor()
    expect(await row.getByRole('button', { name: 'Voir le texte' }).count()).toBe(0)
    // Léa's e-mail about the demo course has no secret: its text shows on demand.
    const lea = page.getByTestId('mail-row').filter({ hasText: 'lea@demo.sillon.test' })
    await lea.getByText('Nouveau parcours : Découvrir le système solaire').waitFor()
    await lea.getByRole('button', { name: 'Voir le texte' }).click()
    await lea
      .getByText('Vous avez un nouveau parcours sur École Démo Sillon : Découvrir le système solaire.', {
        exact: false,
      })
      .waitFor()
    expect(await seriousViolations(page)).toEqual([])

    const filter = page.getByRole('combobox', { name: 'État' })
    await filter.selectOption({ label: 'Envoyé' })
    await page.getByText('Aucun e-mail dans cet état.').waitFor()
    expect(new URL(page.url()).searchParams.get('status')).toBe('sent')
    await filter.selectOption({ label: 'Non envoyé' })
    await row.waitFor()

    // In English, on a phone.
    await page.setViewportSize({ width: 375, height: 740 })
    await page.getByRole('button', { name: /^Langue : / }).click()
    await page.getByRole('menuitem', { name: 'English' }).click()
    await page.getByRole('heading', { name: 'E-mail log', level: 1 }).waitFor()
    await page.getByText('E-mails are recorded here, not sent.', { exact: false }).waitFor()
    await row.getByText('Not sent').waitFor()
    expect(await overflowsSideways(page)).toBe(false)
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
  }, 90_000)
})
