import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserAvailable, connectBrowser, openPage, seriousViolations } from '../helpers/browser.ts'

// The accessibility check every browser test runs must give the same answer on a fast machine and on a
// slow one: it judges the page once its transitions have ended, never a text halfway through a fade.

describe.skipIf(!browserAvailable)('the accessibility check of the browser tests', () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await connectBrowser()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('judges a text that fades in once its fade has ended, not halfway through', async () => {
    const { page, context } = await openPage(browser)
    // The app's dimmed grey, held at a fifth of its opacity for 2 s before it lands at full opacity: a
    // check made during the fade sees 1.6:1, one made after it 6.1:1.
    await page.setContent(
      `<!doctype html><html lang="fr"><head><title>Envois</title></head><body><main>
        <p id="empty" style="color: #5c636a; opacity: 0.2; transition: opacity 2s steps(1, end)">
          Aucun envoi pour l’instant
        </p>
      </main></body></html>`,
    )
    await page.locator('#empty').evaluate((p: HTMLElement) => {
      p.style.opacity = '1'
    })
    expect(await seriousViolations(page)).toEqual([])
    expect(await page.locator('#empty').evaluate((p) => getComputedStyle(p).opacity)).toBe('1')
    await context.close()
  })
})
