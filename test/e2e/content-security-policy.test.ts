import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { TestClient } from '../helpers/app.ts'
import {
  browserAvailable,
  DEMO_PASSWORD,
  openPage,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// The pages Sillon serves work under its Content-Security-Policy: the web app (sign-in, dashboard, the
// player with the demo video, the invitation page) and the API reference, without one violation.

type Violation = { directive: string; blocked: string; source: string }

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchViolations(page: Page): Promise<() => Promise<Violation[]>> {
  const logged: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) logged.push(message.text())
  })
  await page.addInitScript(() => {
    const seen: Violation[] = []
    Object.assign(window, { __cspViolations: seen })
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile })
    })
  })
  return async () => [
    ...(await page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations)),
    ...logged.map((text) => ({ directive: 'console', blocked: '', source: text })),
  ]
}

/** Opens every page of the main menu in turn, each until its requests have settled. */
async function visitMenu(page: Page) {
  const menu = page.getByRole('navigation', { name: 'Navigation principale' })
  await menu.getByRole('link').first().waitFor()
  const links = await menu
    .getByRole('link')
    .evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).pathname))
  expect(links.length).toBeGreaterThan(1)
  for (const path of links) {
    await menu.locator(`a[href="${path}"]`).click()
    await expect.poll(() => new URL(page.url()).pathname).toBe(path)
    await page.waitForLoadState('networkidle')
  }
  return links
}

describe.skipIf(!browserAvailable)('the Content-Security-Policy in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('lets a student sign in and play the demo video without a violation', async () => {
    const { context, page, errors } = await openPage(e2e.browser)
    const violations = await watchViolations(page)
    const response = await page.goto(e2e.server.url)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await page.getByRole('link', { name: 'Commencer' }).click()
    const video = page.getByTestId('video')
    await video.evaluate(async (element: HTMLVideoElement) => {
      element.muted = true
      await element.play()
    })
    await expect
      .poll(() => video.evaluate((element: HTMLVideoElement) => element.currentTime))
      .toBeGreaterThan(0)
    expect(await violations()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)

  it("takes the school's owner through every page of the menu and a course's analytics without a violation", async () => {
    const { context, page, errors } = await openPage(e2e.browser)
    const violations = await watchViolations(page)
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    expect(await visitMenu(page)).toContain('/admin/webhooks')
    await page.goto(`${e2e.server.url}/teach/courses`)
    await page.locator('a[href$="/analytics"]:visible').first().click()
    await page.waitForLoadState('networkidle')
    expect(await violations()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)

  it('shows an invitation on /join without a violation', async () => {
    const owner = new TestClient(e2e.server.url)
    await owner.post('/api/auth/login', { email: 'direction@demo.sillon.test', password: DEMO_PASSWORD })
    const invitation = await owner.post('/api/invitations', { email: 'csp@example.org', role: 'student' })
    expect(invitation.status).toBe(201)
    const { context, page, errors } = await openPage(e2e.browser)
    const violations = await watchViolations(page)
    const response = await page.goto(invitation.body.url)
    expect(response?.headers()['content-security-policy']).toContain("object-src 'none'")
    await page.getByText('École Démo Sillon vous invite comme Élève.').waitFor()
    expect(await violations()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it('renders the API reference with its operations without a violation', async () => {
    const { context, page, errors } = await openPage(e2e.browser, { locale: 'en-GB' })
    const violations = await watchViolations(page)
    const response = await page.goto(`${e2e.server.url}/api/docs`)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    const operation = page.locator('.opblock').filter({ hasText: '/api/health' })
    await operation.locator('.opblock-summary').first().click()
    await operation.getByText('Liveness and database reachability').first().waitFor()
    // Swagger UI keeps only the operations near the screen in the page: scroll down to the document's last.
    const document = (await (await fetch(`${e2e.server.url}/api/openapi.json`)).json()) as { paths: object }
    const last = Object.keys(document.paths).at(-1)
    await expect
      .poll(
        async () => {
          await page.mouse.wheel(0, 2_000)
          return page.locator(`.opblock-summary-path[data-path="${last}"]`).count()
        },
        // Swagger UI draws the operations as they scroll in: slow beside the other browser tests in CI.
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0)
    expect(await violations()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)

  it('blocks a script injected into a page, and reports it', async () => {
    const { context, page } = await openPage(e2e.browser)
    const violations = await watchViolations(page)
    await page.goto(`${e2e.server.url}/signin`)
    await page.getByLabel(/e-mail/i).waitFor()
    const ran = await page.evaluate(() => {
      const script = document.createElement('script')
      script.textContent = 'window.__injected = true'
      document.body.append(script)
      return (window as unknown as { __injected?: boolean }).__injected === true
    })
    expect(ran).toBe(false)
    await expect.poll(async () => (await violations()).map((v) => v.directive)).toContain('script-src-elem')
    await context.close()
  }, 60_000)
})
