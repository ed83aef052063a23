import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  overflowsSideways,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// "Mot de passe oublié ?" from the sign-in page, on a phone: the request, the link of the e-mail (read from
// the outbox, as the server keeps e-mails without SMTP_URL), a weak password refused with advice, a strong
// one taken, then the same link refused.

const NEW_PASSWORD = 'violet-harbour-quietly-jumps-42'

describe.skipIf(!browserAvailable)('a forgotten password in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  /** The link of the last reset e-mail to this address, as its recipient would click it. */
  function resetLinkTo(email: string): string {
    const db = new Database(join(e2e.dataDir, 'sillon.db'), { readonly: true })
    try {
      const row = db
        .prepare(
          `SELECT text_body FROM mail_outbox WHERE to_address = ? AND template = 'account.password-reset'
           ORDER BY created_at DESC, id DESC LIMIT 1`,
        )
        .get(email) as { text_body: string } | undefined
      const link = /https?:\/\/\S+\/reset-password#token=[\w-]+/.exec(row?.text_body ?? '')?.[0]
      if (!link) throw new Error(`no reset e-mail to ${email}`)
      return link
    } finally {
      db.close()
    }
  }

  it('asks for a link, chooses a new password with it, and the link then works no more (375 px)', async () => {
    const { context, page, errors } = await openPage(e2e.browser, {
      locale: 'fr-FR',
      width: 375,
      height: 740,
    })
    page.setDefaultTimeout(20_000)
    await page.goto(e2e.server.url)
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click()
    await page.getByRole('heading', { name: 'Mot de passe oublié', level: 1 }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    expect(await overflowsSideways(page)).toBe(false)

    await page.getByLabel(/e-mail/i).fill('lea@demo.sillon.test')
    await page.getByRole('button', { name: 'Recevoir le lien' }).click()
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Si un compte Sillon utilise l’adresse lea@demo.sillon.test')
    expect(await seriousViolations(page)).toEqual([])

    const link = resetLinkTo('lea@demo.sillon.test')
    expect(link.startsWith(e2e.server.url)).toBe(true)
    await page.goto(link)
    await page.getByRole('heading', { name: 'Nouveau mot de passe', level: 1 }).waitFor()
    await page.getByLabel(/^Nouveau mot de passe/).fill('12345678')
    await page.getByLabel(/^Confirmez/).fill('12345678')
    await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click()
    await page.getByRole('list', { name: 'Conseils' }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    expect(await overflowsSideways(page)).toBe(false)

    await page.getByLabel(/^Nouveau mot de passe/).fill(NEW_PASSWORD)
    await page.getByLabel(/^Confirmez/).fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click()
    await page.getByText('Votre mot de passe a été changé. Connectez-vous avec le nouveau.').waitFor()
    expect(new URL(page.url()).pathname).toBe('/signin')

    await signIn(page, e2e.server.url, 'lea@demo.sillon.test', NEW_PASSWORD)
    await page.waitForURL((url) => url.pathname === '/')
    await page.getByRole('button', { name: 'Se connecter' }).waitFor({ state: 'detached' })

    await page.goto(link)
    await page.getByLabel(/^Nouveau mot de passe/).fill(`${NEW_PASSWORD}-2`)
    await page.getByLabel(/^Confirmez/).fill(`${NEW_PASSWORD}-2`)
    await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click()
    await page
      .getByRole('alert')
      .getByText(/Ce lien ne fonctionne plus/)
      .waitFor()
    await page.getByRole('link', { name: 'Demander un nouveau lien' }).waitFor()
    expect(errors).toEqual([])
    await context.close()
  })
})
