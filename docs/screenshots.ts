import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchBrowser, openPage, signIn } from '../test/helpers/browser.ts'
import { freePort, killChildren, startServer } from '../test/helpers/processes.ts'
import { buildWebIfNeeded } from '../web/build.ts'

// `npm run screenshots`: the README's tour, taken in Chromium against a fresh demo school and saved as
// docs/screenshots/*.png. Small pages (1024 × 640, PNG) keep each file under 150 KB.

const OUT = join(import.meta.dirname, 'screenshots')
const MAX_BYTES = 150 * 1024

type Shot = { file: string; email: string; open: (page: Page, url: string) => Promise<void> }

const shots: Shot[] = [
  {
    file: 'student-dashboard.png',
    email: 'lea@demo.sillon.test',
    open: async (page) => {
      await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    },
  },
  {
    file: 'student-player.png',
    email: 'lea@demo.sillon.test',
    open: async (page) => {
      await page.getByRole('link', { name: /^(Commencer|Continuer)$/ }).click()
      await page.getByTestId('course-progress').waitFor()
    },
  },
  {
    file: 'instructor-courses.png',
    email: 'prof@demo.sillon.test',
    open: async (page, url) => {
      await page.getByRole('button', { name: /Mon compte/ }).waitFor()
      await page.goto(`${url}/teach/courses`)
      await page.getByRole('heading', { name: 'Mes cours' }).waitFor()
    },
  },
  {
    file: 'admin-members.png',
    email: 'direction@demo.sillon.test',
    open: async (page) => {
      await page.getByRole('link', { name: 'Membres' }).click()
      await page.getByRole('table').first().waitFor()
    },
  },
]

await buildWebIfNeeded((line) => console.log(line))
const dataDir = mkdtempSync(join(tmpdir(), 'sillon-screenshots-'))
const server = await startServer({ PORT: String(await freePort()), DATA_DIR: dataDir })
const browser = await launchBrowser()
try {
  for (const shot of shots) {
    const { context, page } = await openPage(browser, { width: 1024, height: 640 })
    await signIn(page, server.url, shot.email)
    await shot.open(page, server.url)
    // Loaders gone and fonts in: the picture shows the page, not its arrival.
    await page.waitForFunction(() => document.querySelectorAll('.mantine-Loader-root').length === 0)
    await page.evaluate(() => document.fonts.ready)
    const path = join(OUT, shot.file)
    await page.screenshot({ path })
    const size = statSync(path).size
    console.log(`${shot.file}: ${Math.round(size / 1024)} KB`)
    if (size > MAX_BYTES) throw new Error(`${shot.file} is over 150 KB: make the page smaller`)
    await context.close()
  }
} finally {
  await browser.close()
  await server.stop()
  await killChildren()
  rmSync(dataDir, { recursive: true, force: true })
}
