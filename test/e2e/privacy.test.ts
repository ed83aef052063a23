import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// Personal data in the browser: a student reads what the school keeps about her from her profile; the
// owner hands a student's data over, erases him once his e-mail is typed again, and sets the retention.

describe.skipIf(!browserAvailable)('personal data in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('shows a student her data, as a readable page and as JSON', async () => {
    const { context, page, errors } = await openPage(e2e.browser, { locale: 'fr-FR' })
    page.setDefaultTimeout(20_000)
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('button', { name: /Léa Martin/ }).waitFor()
    await page.goto(`${e2e.server.url}/profile`)
    await page.getByRole('heading', { name: 'Mes données', level: 2 }).waitFor()
    expect(await page.getByRole('link', { name: 'Télécharger (JSON)' }).getAttribute('href')).toBe(
      '/api/me/data',
    )
    const [summary] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('link', { name: 'Voir la synthèse lisible' }).click(),
    ])
    await summary.getByRole('heading', { name: 'Mes données personnelles', level: 1 }).waitFor()
    expect(await summary.getByText('lea@demo.sillon.test').count()).toBeGreaterThan(0)
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })

  it('lets the owner hand over and erase a student, and set how long former members are kept', async () => {
    const { context, page, errors } = await openPage(e2e.browser, { locale: 'fr-FR' })
    page.setDefaultTimeout(20_000)
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('button', { name: /Claire Dubois/ }).waitFor()
    await page.goto(`${e2e.server.url}/admin/members`)
    const members = page.getByTestId('members')
    await members.getByText('hugo@demo.sillon.test').waitFor()
    await page.getByRole('button', { name: 'Données personnelles de Hugo Bernard' }).click()
    const dialog = page.getByRole('dialog', { name: 'Données personnelles' })
    await dialog.getByRole('link', { name: 'Données complètes (JSON)' }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    const erase = dialog.getByRole('button', { name: 'Effacer définitivement' })
    const confirm = dialog.getByLabel(/Pour confirmer, saisissez son e-mail/)
    await confirm.fill('lea@demo.sillon.test')
    expect(await erase.isDisabled()).toBe(true)
    await confirm.fill('HUGO@demo.sillon.test')
    expect(await erase.isDisabled()).toBe(false)
    await erase.click()
    await page.getByText('Hugo Bernard a été effacé·e, avec son compte.').waitFor()
    await dialog.waitFor({ state: 'hidden' })
    await members.getByText('lea@demo.sillon.test').waitFor()
    // The list refetches after the erasure: Hugo leaves it then.
    await expect.poll(() => members.getByText('hugo@demo.sillon.test').count()).toBe(0)

    await page.goto(`${e2e.server.url}/admin/school`)
    await page.getByLabel('Conserver leurs données personnelles (jours)').fill('365')
    await page.getByRole('button', { name: 'Appliquer la durée' }).click()
    await page.getByText('Durée de conservation enregistrée.').waitFor()
    await page.reload()
    expect(await page.getByLabel('Conserver leurs données personnelles (jours)').inputValue()).toBe('365')
    expect(errors).toEqual([])
    await context.close()
  })
})
