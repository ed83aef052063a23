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

// Reported messages (/messages/reports): Léa, a student of the demo school, reports a message with a file
// that Julien, her teacher, sent her; Claire, the owner, who takes no part in their conversation, follows
// her notification to the page, reads the report and downloads the file. Julien, a teacher, may not.

let julien: APIRequestContext | undefined

afterAll(async () => {
  await julien?.dispose()
})

describe.skipIf(!browserAvailable)('reported messages in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('a student reports her teacher’s message; the owner follows the notification to the reports, reads it and downloads its file', async () => {
    // Before any report, Claire, the owner, finds the page in the navigation, empty.
    const wide = await openPage(e2e.browser)
    await signIn(wide.page, e2e.server.url, 'direction@demo.sillon.test')
    await wide.page.getByRole('link', { name: 'Messages signalés' }).click()
    await wide.page.getByRole('heading', { name: 'Messages signalés', level: 1 }).waitFor()
    await wide.page.getByText('Aucun message n’a été signalé.').waitFor()
    expect(await seriousViolations(wide.page)).toEqual([])

    // Julien writes to Léa, with a file, from another device.
    julien = await request.newContext({ baseURL: e2e.server.url })
    const login = await julien.post('/api/auth/login', {
      data: { email: 'prof@demo.sillon.test', password: DEMO_PASSWORD },
    })
    expect(login.ok()).toBe(true)
    const contacts = (await (await julien.get('/api/messaging/contacts?query=L%C3%A9a')).json()) as {
      data: { member_id: string; name: string }[]
    }
    const lea = contacts.data.find((c) => c.name === 'Léa Martin')
    if (!lea) throw new Error('Léa is not among Julien’s contacts')
    const { id } = (await (
      await julien.post('/api/conversations', { data: { member_id: lea.member_id } })
    ).json()) as { id: string }
    const upload = await julien.post(`/api/conversations/${id}/attachments`, {
      multipart: { file: { name: 'consignes.txt', mimeType: 'text/plain', buffer: Buffer.from('Page 12') } },
    })
    expect(upload.status()).toBe(201)
    const attachment = (await upload.json()) as { id: string }
    const sent = await julien.post(`/api/conversations/${id}/messages`, {
      data: { client_id: 'e2e-report-1', body: 'Tu es nulle, Léa.', attachment_ids: [attachment.id] },
    })
    expect(sent.ok()).toBe(true)

    // Léa, on a phone, reports it from the conversation.
    const student = await openPage(e2e.browser, { width: 375, height: 740 })
    await signIn(student.page, e2e.server.url, 'lea@demo.sillon.test')
    await student.page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await student.page.goto(`${e2e.server.url}/messages/${id}`)
    const message = student.page.getByTestId('message').filter({ hasText: 'Tu es nulle, Léa.' })
    await message.getByRole('button', { name: 'Actions sur le message' }).click()
    await student.page.getByRole('menuitem', { name: 'Signaler' }).click()
    const dialog = student.page.getByRole('dialog', { name: 'Signaler ce message' })
    await dialog
      .getByRole('textbox', { name: 'Pourquoi ce message pose-t-il problème ?' })
      .fill('Il se moque de moi.')
    await dialog.getByRole('button', { name: 'Signaler' }).click()
    await student.page.getByText('Message signalé à l’équipe de l’établissement.').waitFor()
    // Not for her: the address leads nowhere, and is not taken for a conversation.
    await student.page.goto(`${e2e.server.url}/messages/reports`)
    await student.page.getByRole('heading', { name: 'Page introuvable', level: 1 }).waitFor()

    // Claire, the owner, on a phone: the notification leads to the reports.
    const owner = await openPage(e2e.browser, { width: 375, height: 740 })
    const page = owner.page
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('button', { name: /^Notifications, \d+ non lues?$/ }).click()
    await page
      .getByRole('dialog', { name: 'Notifications' })
      .getByText('Message signalé par Léa Martin')
      .click()
    await page.getByRole('heading', { name: 'Messages signalés', level: 1 }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/messages/reports')

    const report = page.getByTestId('message-report')
    await expect.poll(() => report.count()).toBe(1)
    await report.getByText('Signalé par Léa Martin').waitFor()
    expect(await report.getByTestId('report-reason').textContent()).toBe('Il se moque de moi.')
    await report.getByText('Message de Julien Moreau').waitFor()
    expect(await report.getByTestId('reported-message-body').textContent()).toBe('Tu es nulle, Léa.')
    expect(await report.getByRole('link', { name: 'Ouvrir la conversation' }).getAttribute('href')).toBe(
      `/messages/${id}`,
    )
    // She takes no part in the conversation, yet downloads the reported file.
    const download = page.waitForEvent('download')
    await report.getByRole('link', { name: 'consignes.txt' }).click()
    const file = await download
    expect(file.suggestedFilename()).toBe('consignes.txt')
    const stream = await file.createReadStream()
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).toString()).toBe('Page 12')
    expect(await seriousViolations(page)).toEqual([])
    expect(await overflowsSideways(page)).toBe(false)

    // In English, on a wide screen.
    await wide.page.getByRole('button', { name: /^Langue : / }).click()
    await wide.page.getByRole('menuitem', { name: 'English' }).click()
    await wide.page.getByRole('heading', { name: 'Reported messages', level: 1 }).waitFor()
    await wide.page.reload()
    await wide.page.getByTestId('message-report').getByText('Reported by Léa Martin').waitFor()
    await wide.page.getByText('Message from Julien Moreau').waitFor()
    // Its own entry is the current one in the navigation, not Messages.
    expect(await wide.page.getByRole('link', { name: 'Reported messages' }).getAttribute('data-active')).toBe(
      'true',
    )
    expect(await wide.page.getByRole('link', { name: /^Messages/ }).getAttribute('data-active')).toBeNull()
    expect(await seriousViolations(wide.page)).toEqual([])

    expect([...student.errors, ...owner.errors, ...wide.errors]).toEqual([])
    await Promise.all([student.context.close(), owner.context.close(), wide.context.close()])
  }, 90_000)
})
