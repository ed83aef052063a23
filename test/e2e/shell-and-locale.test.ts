import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  DEMO_PASSWORD,
  openPage,
  overflowsSideways,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// The frame every page shares and the way it speaks: the language carried through sign-in, chips that
// keep their words, ordinals and punctuation per language, dates in the school's time zone, the next
// step first on a phone, dark mode and the skip link. The demo school is in Europe/Paris.

const SCHOOL_TIME_ZONE = 'Europe/Paris'

/** Every chip on the page whose text does not fit in it (the browser then cuts it with an ellipsis). */
async function cutChips(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.mantine-Badge-root, .mantine-Badge-label')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.textContent} (${el.scrollWidth} > ${el.clientWidth})`),
  )
}

/** A zone whose calendar date, right now, is not Paris's: the far east or the far west of the world. */
function zoneOnAnotherDay(): string {
  const dayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date())
  const school = dayIn(SCHOOL_TIME_ZONE)
  const zone = ['Pacific/Kiritimati', 'Etc/GMT+12'].find((z) => dayIn(z) !== school)
  if (!zone) throw new Error('UTC+14 and UTC-12 are 26 hours apart: one of them is on another day')
  return zone
}

describe.skipIf(!browserAvailable)('the shell, languages and dates in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('keeps the language picked on the sign-in page after signing in, on this device and the next', async () => {
    const { context, page, errors } = await openPage(e2e.browser, { locale: 'fr-FR' })
    await page.goto(`${e2e.server.url}/signin`)
    await page.getByRole('button', { name: 'English' }).click()
    // Signed in on the same page, as a person would: the choice was made on it.
    await page.getByLabel('E-mail address').fill('hugo@demo.sillon.test')
    await page.getByRole('textbox', { name: /^Password/ }).fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'My dashboard' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'My dashboard' }).waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
    await context.close()

    // Another device, in French: the account remembers English.
    const other = await openPage(e2e.browser, { locale: 'fr-FR' })
    await signIn(other.page, e2e.server.url, 'hugo@demo.sillon.test')
    await other.page.getByRole('heading', { name: 'My dashboard' }).waitFor()
    await other.context.close()
    expect(errors).toEqual([])
  })

  it('shows every chip whole in the course list at 1280 px and in the player and dashboard at 375 px', async () => {
    const wide = await openPage(e2e.browser, { width: 1280 })
    await signIn(wide.page, e2e.server.url, 'direction@demo.sillon.test')
    await wide.page.getByRole('link', { name: 'Mes cours' }).click()
    await wide.page.locator('.mantine-Badge-root:visible').first().waitFor()
    expect(await cutChips(wide.page)).toEqual([])
    expect(await seriousViolations(wide.page)).toEqual([])
    await wide.context.close()

    const phone = await openPage(e2e.browser, { width: 375, height: 667 })
    await signIn(phone.page, e2e.server.url, 'lea@demo.sillon.test')
    await phone.page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    expect(await cutChips(phone.page)).toEqual([])
    await phone.page.getByRole('link', { name: /^(Commencer|Continuer)$/ }).click()
    await phone.page.getByTestId('course-progress').waitFor()
    await phone.page.locator('.mantine-Badge-root').first().waitFor()
    expect(await cutChips(phone.page)).toEqual([])
    expect(await overflowsSideways(phone.page)).toBe(false)
    await phone.context.close()
  })

  it('writes ordinals and punctuation by each language’s rules', async () => {
    const { context, page } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await page.getByRole('link', { name: 'Classement' }).click()
    expect(await page.getByTestId('my-rank').textContent()).toMatch(/^Vous êtes 1er avec 0 points\.$/)

    await page.getByRole('button', { name: /^Langue/ }).click()
    await page.getByRole('menuitem', { name: 'English' }).click()
    await page.getByRole('heading', { name: 'Leaderboard' }).waitFor()
    expect(await page.getByTestId('my-rank').textContent()).toMatch(/^You are 1st with 0 points\.$/)
    for (const path of ['/leaderboard', '/']) {
      await page.goto(`${e2e.server.url}${path}`)
      await page.getByRole('heading', { level: 1 }).waitFor()
      await page.getByTestId('streak').or(page.getByTestId('my-rank')).first().waitFor()
      // French puts a space before ":" (and "%"); English does not, hidden labels included.
      const text = await page.evaluate(() => document.body.innerText)
      expect(text.match(/\S[\s\u00a0\u202f][:;!?%]/g) ?? []).toEqual([])
    }
    // Léa reads French again for the other tests.
    await page.getByRole('button', { name: /^Language/ }).click()
    await page.getByRole('menuitem', { name: 'Français' }).click()
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await context.close()
  })

  it('dates what happened by the school’s calendar, whatever the time zone of the device', async () => {
    const zone = zoneOnAnotherDay()
    const { context, page } = await openPage(e2e.browser, { timezoneId: zone })
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('link', { name: 'Membres' }).click()
    const dateIn = (timeZone: string) =>
      new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeZone }).format(new Date())
    const row = page.getByRole('row').filter({ hasText: 'Léa Martin' })
    await row.waitFor()
    expect(await row.textContent()).toContain(dateIn(SCHOOL_TIME_ZONE))
    expect(await row.textContent()).not.toContain(dateIn(zone))
    await context.close()
  })

  it('puts the student’s next step in the first screen of a phone', async () => {
    const { context, page } = await openPage(e2e.browser, { width: 375, height: 667 })
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    const next = page.getByTestId('course-card').getByRole('link', { name: /^(Commencer|Continuer)$/ })
    await next.waitFor()
    const box = await next.boundingBox()
    expect(box && box.y + box.height).toBeLessThanOrEqual(667)
    await context.close()
  })

  it('follows the system’s dark mode, legibly, until the account menu says otherwise on this device', async () => {
    const { context, page } = await openPage(e2e.browser, { colorScheme: 'dark' })
    await page.goto(e2e.server.url)
    await page.getByRole('button', { name: 'Se connecter' }).waitFor()
    const scheme = () => page.evaluate(() => document.documentElement.dataset.mantineColorScheme)
    expect(await scheme()).toBe('dark')
    expect(await seriousViolations(page)).toEqual([])
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole('link', { name: /^(Commencer|Continuer)$/ }).click()
    await page.getByTestId('course-progress').waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole('link', { name: 'Classement' }).click()
    await page.getByTestId('my-rank').waitFor()
    expect(await seriousViolations(page)).toEqual([])

    await page.getByRole('button', { name: /Mon compte/ }).click()
    await page.getByRole('menuitem', { name: 'Clair' }).click()
    expect(await scheme()).toBe('light')
    await page.reload()
    await page.getByTestId('my-rank').waitFor()
    expect(await scheme()).toBe('light')
    await context.close()

    const staff = await openPage(e2e.browser, { colorScheme: 'dark' })
    await signIn(staff.page, e2e.server.url, 'direction@demo.sillon.test')
    for (const link of ['Mes cours', 'Membres', 'Classes et groupes', 'Gamification']) {
      await staff.page.getByRole('link', { name: link }).click()
      await staff.page.getByRole('heading', { level: 1 }).waitFor()
      await expect.poll(() => staff.page.locator('.mantine-Loader-root').count()).toBe(0)
      expect(await seriousViolations(staff.page), link).toEqual([])
    }
    await staff.context.close()
  })

  it('offers a skip link first, which takes the keyboard to the page’s content', async () => {
    const { context, page } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await page.keyboard.press('Tab')
    const focused = () =>
      page.evaluate(() => document.activeElement?.textContent || document.activeElement?.id)
    expect(await focused()).toBe('Aller au contenu')
    expect(await page.getByRole('link', { name: 'Aller au contenu' }).isVisible()).toBe(true)
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('MAIN')
    await page.keyboard.press('Tab')
    // The next stop is inside the page, not in the header or the navigation.
    expect(await page.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true)
    await context.close()
  })

  it('announces a page whose code is still on its way as loading, to screen readers too', async () => {
    const { context, page } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    // The leaderboard's code is held back on the network: the page waits on its fallback meanwhile.
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    await page.route(/\/assets\/leaderboard-[\w-]+\.js$/, async (route) => {
      await held
      await route.continue()
    })
    await page.goto(`${e2e.server.url}/leaderboard`)
    await page.getByRole('status', { name: 'Chargement…' }).waitFor()
    release()
    await page.getByTestId('my-rank').waitFor()
    await context.close()
  })
})
