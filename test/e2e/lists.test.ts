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

// Lists that grow are searched and paged 25 at a time, and keep their search and page in the address: the
// school admin creates thirty classes and thirty API tokens through the API, searches, turns a page and
// reloads without losing their place; a search that matches nothing says so and offers to clear it.

/** POSTs each body as the signed-in person of the page, as the app itself would (same origin, cookies). */
async function postAll(page: Page, path: string, bodies: object[]) {
  const statuses = await page.evaluate(
    async ({ path, bodies }) => {
      const out: number[] = []
      for (const body of bodies) {
        const res = await fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
        out.push(res.status)
      }
      return out
    },
    { path, bodies },
  )
  expect(statuses.every((s) => s === 201)).toBe(true)
}

const thirty = (prefix: string) =>
  Array.from({ length: 30 }, (_, i) => ({ name: `${prefix} ${String(i + 1).padStart(2, '0')}` }))

describe.skipIf(!browserAvailable)('searched and paged lists in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('searches the classes, turns a page, keeps both across a reload, and says when nothing matches', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor()
    await postAll(page, '/api/teams', thirty('Atelier'))

    await page.getByRole('link', { name: 'Classes et groupes' }).click()
    const range = page.getByTestId('list-range')
    await expect.poll(() => range.textContent()).toMatch(/^1–25 sur \d+$/)
    await page.getByLabel('Rechercher une classe').fill('atelier')
    await expect.poll(() => range.textContent()).toBe('1–25 sur 30')
    expect(await seriousViolations(page)).toEqual([])

    await page
      .getByRole('navigation', { name: 'Pages de la liste' })
      .getByRole('button', { name: 'Page 2' })
      .click()
    await expect.poll(() => range.textContent()).toBe('26–30 sur 30')
    expect(await page.getByTestId('teams').getByRole('row').count()).toBe(6)
    await page.getByTestId('teams').getByText('Atelier 30').waitFor()
    expect(new URL(page.url()).searchParams.toString()).toBe('q=atelier&page=2')

    await page.reload()
    await page.getByTestId('teams').getByText('Atelier 26').waitFor()
    expect(await range.textContent()).toBe('26–30 sur 30')
    expect(await page.getByLabel('Rechercher une classe').inputValue()).toBe('atelier')
    expect(await page.getByRole('button', { name: 'Page 2' }).getAttribute('aria-current')).toBe('page')

    await page.getByLabel('Rechercher une classe').fill('atelier 99')
    await page.getByText('Aucun résultat pour « atelier 99 »').waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Effacer la recherche' }).click()
    await expect.poll(() => range.textContent()).toMatch(/^1–25 sur \d+$/)
    expect(new URL(page.url()).search).toBe('')
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)

  it('pages and searches the API tokens on a phone', async () => {
    const { page, context, errors } = await openPage(e2e.browser, { width: 375, height: 800 })
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor()
    await postAll(page, '/api/tokens', thirty('Export'))

    await page.goto(`${e2e.server.url}/admin/tokens?q=export&page=2`)
    const range = page.getByTestId('list-range')
    await expect.poll(() => range.textContent()).toBe('26–30 sur 30')
    expect(await page.getByTestId('tokens').getByRole('row').count()).toBe(6)
    expect(await overflowsSideways(page)).toBe(false)
    expect(await seriousViolations(page)).toEqual([])

    await page.getByLabel('Rechercher un jeton').fill('export 07')
    // The search waits for typing to pause, then asks the server: more than the poll's default 5 s on a slow machine.
    await expect.poll(() => range.textContent(), { timeout: 15_000 }).toBe('1–1 sur 1')
    expect(new URL(page.url()).searchParams.get('page')).toBeNull()
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)
})
