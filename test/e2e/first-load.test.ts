import { describe, expect, it } from 'vitest'
import { browserAvailable, openPage, signIn, useDemoSchoolInBrowser } from '../helpers/browser.ts'

// A student who opens the app on a slow phone: the page itself carries the dashboard's or the course's data
// and names its code (src/entry/web-app.ts), so they draw without a round trip to the API first.

describe.skipIf(!browserAvailable)('the first load of a student page', () => {
  const e2e = useDemoSchoolInBrowser()

  it('draws the dashboard and a course from the page, asking the API for neither, then asks it again', async () => {
    const { page, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    const courseLink = await page.getByRole('link', { name: 'Commencer' }).getAttribute('href')

    const asked: string[] = []
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname
      if (path.startsWith('/api/me/')) asked.push(path)
    })
    await page.reload()
    await page.getByTestId('course-card').first().waitFor()
    await page.goto(`${e2e.server.url}${courseLink}`)
    await page.getByRole('heading', { name: 'Bienvenue dans le système solaire' }).waitFor()
    expect(
      asked.filter((path) => path === '/api/me/dashboard' || path.startsWith('/api/me/courses/')),
    ).toEqual([])

    // Once used, the page's answers are not used again: back on the dashboard, the API is asked.
    await page.getByRole('link', { name: 'Accueil' }).click()
    await page.getByTestId('course-card').first().waitFor()
    await expect.poll(() => asked.includes('/api/me/dashboard')).toBe(true)
    expect(errors).toEqual([])
  })
})
