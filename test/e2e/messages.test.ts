import type { Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  overflowsSideways,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'
import { sillon } from '../helpers/cli.ts'
import { startSmtpServer } from '../helpers/smtp.ts'

// Messages in two browsers at once (two contexts of the one Chromium): Léa, a student of the demo school,
// writes to her teacher from the course player; Julien, the teacher, sees it arrive over the WebSocket
// without reloading, and answers; Léa sees him typing, the answer arrive and that he read her. Once she has
// left, his next message reaches her as an e-mail digest at a local SMTP server. Then what a person does
// to their own messages, attachments, safe Markdown, a double send, and the kind answer to a flood.

/** Unread messages become an e-mail at once (rather than after 10 minutes) in this file. */
const mailEnv = { MESSAGE_EMAIL_DELAY_MINUTES: '0' }

/** The text of the messages in the open thread, oldest first. */
function threadTexts(page: Page) {
  return page.getByTestId('thread').getByTestId('message-body').allTextContents()
}

/** Writes in the composer and sends with Enter, as a person would. */
async function write(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: /^(Votre message|Your message)$/ })
  await composer.fill(text)
  await composer.press('Enter')
}

const smtp = await startSmtpServer()

describe.skipIf(!browserAvailable)('messages in the browser', () => {
  const e2e = useDemoSchoolInBrowser({ SMTP_URL: smtp.url, ...mailEnv })
  afterAll(() => smtp.close())

  it('a student writes to the teacher from the course, the teacher sees it live and answers, the student sees the answer live', async () => {
    const teacher = await openPage(e2e.browser)
    await signIn(teacher.page, e2e.server.url, 'prof@demo.sillon.test')
    await teacher.page.getByRole('link', { name: /^Messages($| \d)/ }).click()
    await teacher.page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor()
    await teacher.page.getByText('Aucune conversation pour l’instant.').waitFor()
    expect(await seriousViolations(teacher.page)).toEqual([])

    // Léa, on a phone, from the course player.
    const student = await openPage(e2e.browser, { width: 375, height: 740 })
    await signIn(student.page, e2e.server.url, 'lea@demo.sillon.test')
    await student.page.getByRole('link', { name: 'Commencer' }).click()
    await student.page.getByRole('button', { name: 'Écrire à l’enseignant' }).click()
    await expect.poll(() => student.page.url(), { timeout: 10_000 }).toMatch(/\/messages\/[^/]+$/)
    await student.page.getByRole('heading', { name: 'Julien Moreau', level: 2 }).waitFor()
    await student.page.getByTestId('live-state').getByText('En direct').waitFor()
    // On a phone the thread is shown alone, with a way back to the list.
    expect(await student.page.getByRole('navigation', { name: 'Conversations' }).isVisible()).toBe(false)
    expect(await student.page.getByRole('link', { name: 'Retour aux conversations' }).isVisible()).toBe(true)
    await write(student.page, 'Bonjour, je ne comprends pas **la question 3**.')
    await student.page.getByTestId('receipt').getByText('Envoyé').waitFor()
    expect(await student.page.getByTestId('message-body').locator('strong').textContent()).toBe(
      'la question 3',
    )
    expect(await seriousViolations(student.page)).toEqual([])
    expect(await overflowsSideways(student.page)).toBe(false)

    // Julien has not reloaded: the conversation comes to him, unread, with the badge in the navigation.
    const conversation = teacher.page.getByTestId('conversation').filter({ hasText: 'Léa Martin' })
    await conversation.getByTestId('unread-count').getByText('1 non lu').waitFor()
    await teacher.page.getByTestId('nav-unread').getByText('1 message non lu').waitFor()
    await conversation.click()
    await expect
      .poll(() => threadTexts(teacher.page), { timeout: 30_000 })
      .toEqual(['Bonjour, je ne comprends pas la question 3.'])
    await teacher.page.getByTestId('live-state').getByText('En direct').waitFor()
    // Read: the badge goes, and Léa sees that he read her.
    await teacher.page.getByTestId('nav-unread').waitFor({ state: 'detached' })
    await student.page.getByTestId('receipt').getByText('Lu').waitFor()
    expect(await seriousViolations(teacher.page)).toEqual([])

    // Léa sees him typing, then his answer.
    await teacher.page.getByRole('textbox', { name: 'Votre message' }).fill('Bonjour Léa !')
    await student.page.getByTestId('typing').getByText('Julien Moreau écrit…').waitFor()
    await write(teacher.page, 'Bonjour Léa ! Relis le passage sur les **planètes telluriques**.')
    // Léa has not reloaded either: the answer comes to her.
    await expect
      .poll(() => threadTexts(student.page), { timeout: 30_000 })
      .toEqual([
        'Bonjour, je ne comprends pas la question 3.',
        'Bonjour Léa ! Relis le passage sur les planètes telluriques.',
      ])
    // Back to her list on the phone: one conversation, read.
    await student.page.getByRole('link', { name: 'Retour aux conversations' }).click()
    await student.page.getByTestId('conversation').filter({ hasText: 'Julien Moreau' }).waitFor()
    expect(await student.page.getByTestId('conversation').count()).toBe(1)
    expect(await overflowsSideways(student.page)).toBe(false)
    expect(await seriousViolations(student.page)).toEqual([])

    expect(student.errors).toEqual([])

    // Léa leaves. Julien writes again: unread, it becomes one e-mail to her.
    // Presence is told when a socket opens or closes: Julien, coming back, sees Léa is connected, then gone.
    await teacher.page.reload()
    await conversation.getByTestId('online').waitFor()
    await student.context.close()
    await conversation.getByTestId('online').waitFor({ state: 'detached' })
    await write(teacher.page, 'Dis-moi si c’est plus clair.')
    await teacher.page.getByTestId('thread').getByText('Dis-moi si c’est plus clair.').waitFor()
    const env = { DATA_DIR: e2e.dataDir, PUBLIC_URL: e2e.server.url, SMTP_URL: smtp.url, ...mailEnv }
    // (Léa also has the e-mail of her course assignment, from the demo school's seed.)
    const toLea = () => smtp.received.filter((m) => m.envelopeTo.includes('lea@demo.sillon.test'))
    const digests = () => toLea().filter((m) => m.text?.includes('Dis-moi si c’est plus clair.'))
    // The server runs both jobs every minute or less; run by hand, each try is for a period of its own ahead
    // (a period already run is skipped), so the test need not wait for the next minute. The jobs themselves
    // read the real clock.
    let tries = 0
    await expect
      .poll(
        async () => {
          tries += 1
          const at = new Date(Date.now() + tries * 60_000).toISOString()
          for (const job of ['notifications.send-digests', 'notifications.send-mail']) {
            const run = await sillon(['jobs', 'run', job, '--at', at], env)
            expect(run.code, run.stdout + run.stderr).toBe(0)
          }
          return digests().length
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1)
    expect(digests()[0]?.text).toContain(`${e2e.server.url}/messages/`)
    // What she had read in time never comes by e-mail.
    expect(toLea().filter((m) => m.text?.includes('planètes telluriques'))).toEqual([])

    expect(teacher.errors).toEqual([])
    await teacher.context.close()
  }, 240_000)

  it('sends once whatever the keys, renders Markdown without HTML, and lets the author edit and delete', async () => {
    const { page, context, errors } = await openPage(e2e.browser, { locale: 'en-GB' })
    await signIn(page, e2e.server.url, 'hugo@demo.sillon.test')
    // Hugo reads English (the school's language is French): chosen from the language menu.
    await page.getByRole('button', { name: /^Langue : FR/ }).click()
    await page.getByRole('menuitem', { name: 'English' }).click()
    await page.getByRole('link', { name: /^Messages($| \d)/ }).click()
    await page.getByRole('button', { name: 'New conversation' }).click()
    await page.getByRole('combobox', { name: 'Recipient' }).fill('Claire')
    await page.getByRole('option', { name: /Claire Dubois/ }).click()
    await page.getByRole('button', { name: 'Start' }).click()
    await page.getByRole('heading', { name: 'Claire Dubois', level: 2 }).waitFor()

    // Enter pressed twice, then the button clicked, on the same text: one message.
    const composer = page.getByRole('textbox', { name: 'Your message' })
    await composer.fill('Only once, please')
    await composer.press('Enter')
    await composer.press('Enter')
    await page.getByTestId('message').first().waitFor()
    await expect.poll(() => composer.inputValue(), { timeout: 10_000 }).toBe('')
    // Shift+Enter is a new line, not a send.
    await composer.fill('first line')
    await composer.press('Shift+Enter')
    await composer.pressSequentially('second line')
    expect(await composer.inputValue()).toBe('first line\nsecond line')
    await composer.press('Enter')
    await expect.poll(() => page.getByTestId('message').count(), { timeout: 10_000 }).toBe(2)
    await write(
      page,
      'A <b>bold</b> try <img src="x" onerror="window.pwned=1"> and [a link](javascript:alert(1))',
    )
    await expect.poll(() => page.getByTestId('message').count(), { timeout: 10_000 }).toBe(3)
    const texts = await threadTexts(page)
    expect(texts.filter((t) => t === 'Only once, please')).toHaveLength(1)
    const last = page.getByTestId('message-body').last()
    expect(await last.locator('img, b, script').count()).toBe(0)
    expect(await last.locator('a[href^="javascript"]').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()

    // Edit the first, delete the second: it stays, as deleted.
    const first = page.getByTestId('message').filter({ hasText: 'Only once, please' })
    await first.getByRole('button', { name: 'Message actions' }).click()
    await page.getByRole('menuitem', { name: 'Edit' }).click()
    await page.getByRole('textbox', { name: 'Edit the message' }).fill('Only once, thank you')
    await page.getByRole('button', { name: 'Save' }).click()
    await page
      .getByTestId('message')
      .filter({ hasText: 'Only once, thank you' })
      .getByText('edited')
      .waitFor()
    const second = page.getByTestId('message').filter({ hasText: 'second line' })
    await second.getByRole('button', { name: 'Message actions' }).click()
    await page.getByRole('menuitem', { name: 'Delete' }).click()
    await page
      .getByRole('dialog', { name: 'Delete this message?' })
      .getByRole('button', { name: 'Delete' })
      .click()
    await page.getByTestId('thread').getByText('Message deleted').waitFor()
    expect(await page.getByTestId('message').count()).toBe(3)
    expect(await seriousViolations(page)).toEqual([])

    // A file goes with a message: uploaded when chosen, then a link in the thread that downloads it.
    await page.locator('input[type=file]').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Mes notes de cours'),
    })
    await page.getByTestId('pending-attachments').getByText('notes.txt').waitFor()
    await write(page, 'My notes')
    const file = page
      .getByTestId('message')
      .filter({ hasText: 'My notes' })
      .getByRole('link', { name: 'notes.txt' })
    await file.waitFor()
    const href = (await file.getAttribute('href')) as string
    expect(await page.evaluate(async (url) => (await fetch(url)).text(), href)).toBe('Mes notes de cours')
    expect(await page.getByTestId('pending-attachments').count()).toBe(0)
    expect(await seriousViolations(page)).toEqual([])

    // A flood: past the limit, a kind word and the text kept, never an error page.
    const conversationId = page.url().split('/').pop() as string
    await page.evaluate(async (id) => {
      for (let i = 0; i < 25; i++) {
        const res = await fetch(`/api/conversations/${id}/messages`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ client_id: `flood-${i}`, body: `flood ${i}` }),
        })
        if (res.status === 429) return
      }
    }, conversationId)
    await write(page, 'Am I still heard?')
    await page
      .getByTestId('send-problem')
      .getByText(/Wait \d+ s before the next one/)
      .waitFor()
    expect(await composer.inputValue()).toBe('Am I still heard?')
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)
  it('shows new messages by asking again when there is no WebSocket, and lets staff write to a whole class', async () => {
    // A browser (or a network on the way) that cannot open the socket.
    const { page, context, errors } = await openPage(e2e.browser)
    await context.addInitScript(() => {
      Reflect.deleteProperty(window, 'WebSocket')
    })
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('link', { name: /^Messages($| \d)/ }).click()
    await page.getByRole('button', { name: 'Nouvelle conversation' }).click()
    await page.getByRole('combobox', { name: 'Destinataire' }).fill('Julien')
    await page.getByRole('option', { name: /Julien Moreau/ }).click()
    await page.getByRole('button', { name: 'Commencer' }).click()
    await page.getByTestId('live-state').getByText('Actualisé régulièrement').waitFor()
    const conversationId = page.url().split('/').pop() as string

    // Julien answers from another browser.
    const teacher = await openPage(e2e.browser)
    await signIn(teacher.page, e2e.server.url, 'prof@demo.sillon.test')
    await teacher.page.getByRole('navigation').first().waitFor()
    const posted = await teacher.page.evaluate(async (id) => {
      const res = await fetch(`/api/conversations/${id}/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_id: 'polling-1', body: 'Réponse sans socket' }),
      })
      return res.status
    }, conversationId)
    expect(posted).toBe(201)
    await page.getByTestId('thread').getByText('Réponse sans socket').waitFor({ timeout: 15_000 })

    // Staff also write to a whole class at once.
    await page.getByRole('button', { name: 'Nouvelle conversation' }).click()
    await page.getByRole('dialog').getByText('Une classe', { exact: true }).click()
    await page.getByRole('combobox', { name: 'Classe' }).click()
    await page.getByRole('option', { name: 'Seconde A' }).click()
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Commencer' }).click()
    await page.getByRole('heading', { name: /Léa Martin/, level: 2 }).waitFor()
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toMatch(/Hugo Bernard/)
    expect(errors).toEqual([])
    await teacher.context.close()
    await context.close()
  }, 60_000)
})
