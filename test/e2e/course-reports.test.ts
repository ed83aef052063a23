import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// The demo instructor follows the demo course: the funnel chart has a legend and counts students in whole
// numbers, the results download as CSV, and a student's name opens their page.

const SHOTS = process.env.SCREENSHOT_DIR

describe.skipIf(!browserAvailable)('course reports in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  for (const width of [1280, 375]) {
    it(`shows the funnel with a legend and whole-number axis, the CSV and a student's page at ${width} px`, async () => {
      const { page, context, errors } = await openPage(e2e.browser, { width })
      await signIn(page, e2e.server.url, 'prof@demo.sillon.test')
      await page.getByRole('heading', { name: 'Mes cours' }).waitFor()
      const courses = await (await context.request.get(`${e2e.server.url}/api/lms/courses`)).json()
      const demo = courses.find((c: { name: string }) => c.name === 'Découvrir le système solaire')
      await page.goto(`${e2e.server.url}/teach/courses/${demo.id}/analytics`)
      await page.getByTestId('funnel').waitFor()

      const legend = page.locator('.recharts-legend-wrapper')
      await legend.waitFor()
      for (const series of ['Atteinte', 'Terminée', 'Abandon']) await legend.getByText(series).waitFor()
      const ticks = page.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')
      // Recharts draws the ticks once it has measured the chart: wait for the axis, then read it.
      await expect.poll(() => ticks.count()).toBeGreaterThan(1)
      for (const value of await ticks.allTextContents()) expect(value).toMatch(/^\d+$/)
      await page.getByText(/Abandon : pas d’activité depuis 14 jours/).waitFor()
      expect(await seriousViolations(page)).toEqual([])
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `analytics-${width}.png`), fullPage: true })

      const download = page.waitForEvent('download')
      await page.getByRole('link', { name: 'Télécharger les résultats (CSV)' }).click()
      const file = join(e2e.dataDir, `results-${width}.csv`)
      await (await download).saveAs(file)
      const bytes = readFileSync(file)
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
      expect(bytes.toString('utf8')).toMatch(/^\uFEFFNom,E-mail,Classes,Statut,Progression \(%\)/)
      expect(bytes.toString('utf8')).toContain('Léa Martin')

      await page.getByRole('link', { name: 'Voir le suivi de Léa Martin' }).click()
      await page.getByRole('heading', { level: 1, name: 'Léa Martin' }).waitFor()
      await page.getByRole('heading', { name: 'Parcours' }).waitFor()
      await page.getByRole('heading', { name: 'Essais de quiz' }).waitFor()
      expect(await seriousViolations(page)).toEqual([])
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `student-${width}.png`), fullPage: true })
      expect(errors).toEqual([])
      await context.close()
    }, 90_000)
  }
})
