import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  overflowsSideways,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// What students and admins see of the game, in English in the French demo school, on a device without an
// emoji font (Debian's Chromium in CI has none): default badges translated, icons drawn, the streak card.

const EMOJI = /\p{Extended_Pictographic}/u

/** Signs in and switches the account to English, as the account menu does. */
async function signInInEnglish(page: Page, url: string, email: string) {
  await signIn(page, url, email)
  await page.getByRole('navigation').first().waitFor()
  await page.evaluate(async () => {
    await fetch('/api/auth/me', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locale: 'en' }),
    })
  })
  await page.reload()
}

describe.skipIf(!browserAvailable)('the game in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('shows the default badges in English to an English reader, drawn with icons, by family and threshold', async () => {
    const { page, errors } = await openPage(e2e.browser, { locale: 'en-GB' })
    await signInInEnglish(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('heading', { name: 'My dashboard' }).waitFor()
    await page.goto(`${e2e.server.url}/badges`)
    await page.getByRole('heading', { name: 'My badges' }).waitFor()
    const cards = page.locator('.mantine-Card-root')
    await expect.poll(() => cards.count()).toBe(10)
    const names = await cards.locator('p:first-of-type').allTextContents()
    expect(names).toEqual([
      'First video',
      'Five videos',
      'Twenty-five videos',
      'First quiz',
      'Quiz master',
      'Perfectionist',
      '7-day streak',
      '30-day streak',
      'Course complete',
      'Expert',
    ])
    expect(await page.getByText('Watch 5 videos to the end').count()).toBe(1)
    expect(await cards.locator('svg.tabler-icon').count()).toBe(10)
    expect(EMOJI.test((await page.locator('main').textContent()) ?? '')).toBe(false)
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
  })

  it('shows one freeze icon with its wording, and a calendar with weekdays, months and a label per day', async () => {
    const { page, errors } = await openPage(e2e.browser, { locale: 'en-GB' })
    await signInInEnglish(page, e2e.server.url, 'hugo@demo.sillon.test')
    await page.getByRole('heading', { name: 'My dashboard' }).waitFor()
    const freezes = page.getByTestId('freezes')
    expect(await freezes.textContent()).toBe('No streak freeze')
    expect(await freezes.locator('svg').count()).toBe(1)

    const calendar = page.getByRole('table', { name: 'Streak calendar' })
    const weekdays = await calendar
      .locator('tbody th abbr')
      .evaluateAll((els) => els.map((el) => [el.textContent, el.getAttribute('title')]))
    expect(weekdays).toEqual([
      ['M', 'Monday'],
      ['T', 'Tuesday'],
      ['W', 'Wednesday'],
      ['T', 'Thursday'],
      ['F', 'Friday'],
      ['S', 'Saturday'],
      ['S', 'Sunday'],
    ])
    const months = await calendar.locator('thead th').allTextContents()
    expect(months.length).toBeGreaterThanOrEqual(1)
    for (const month of months) expect(month).toMatch(/^[A-Z][a-z]{2,3}$/)
    const days = calendar.locator('[data-state]')
    expect(await days.count()).toBe(35)
    expect(await days.last().textContent()).toMatch(
      /^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+: no activity$|^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+: active$/,
    )
    expect(await seriousViolations(page)).toEqual([])

    await page.setViewportSize({ width: 375, height: 800 })
    await expect.poll(() => overflowsSideways(page)).toBe(false)
    expect(errors).toEqual([])
  })

  it("shows the admin the default badges in the admin's language, and saving another field keeps them translated", async () => {
    const { page, errors } = await openPage(e2e.browser, { locale: 'en-GB' })
    await signInInEnglish(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.goto(`${e2e.server.url}/admin/gamification`)
    const row = page.getByTestId('badge-video_5')
    await row.getByText('Five videos', { exact: true }).first().waitFor()
    expect(await row.locator('svg.tabler-icon').count()).toBeGreaterThan(0)
    await row.getByRole('button', { name: /Edit/ }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel(/^XP given/).fill('30')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expect.poll(() => row.textContent()).toContain('30')
    expect(await row.textContent()).toContain('Five videos')
    const badge = await page.evaluate(async () => {
      const list = (await (await fetch('/api/gamification/badges')).json()) as {
        code: string
        key: string | null
      }[]
      return list.find((b) => b.code === 'video_5')
    })
    expect(badge?.key).toBe('video_5')
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
  })
})
