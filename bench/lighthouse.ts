import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { freePort, startServer } from '../test/helpers/processes.ts'
import { buildWebIfNeeded } from '../web/build.ts'

// `npm run lighthouse`: Lighthouse's mobile profile (simulated slow 4G and a 4× slower CPU) on the pages a
// student meets first, against the built app on a fresh demo school. A measurement to read, never a test:
// it prints the scores and always exits 0 once it has them. The median of RUNS runs per page is printed,
// since one run on a busy machine moves by several points.

const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// A folder to keep each run's full report in (JSON, viewable at googlechrome.github.io/lighthouse/viewer).
const REPORTS_DIR = process.env.LIGHTHOUSE_REPORTS
const STUDENT = { email: 'lea@demo.sillon.test', password: 'demo-sillon' }

type Measure = { performance: number; accessibility: number; lcpMs: number }

async function signInCookie(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify(STUDENT),
  })
  if (!response.ok) throw new Error(`sign-in as the demo student failed: ${response.status}`)
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ')
}

async function firstCourseId(url: string, cookie: string): Promise<string> {
  const response = await fetch(`${url}/api/me/dashboard`, { headers: { cookie } })
  const dashboard = (await response.json()) as { courses: { course_id: string }[] }
  const course = dashboard.courses[0]
  if (!course) throw new Error('the demo student has no course')
  return course.course_id
}

async function measure(name: string, url: string, port: number, cookie?: string): Promise<Measure> {
  const result = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility'],
    // Sent with every request of the page, so the app finds the session as if the student had signed in.
    ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
  })
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`)
  const { categories, audits } = result.lhr
  if (result.lhr.runtimeError) throw new Error(`${url}: ${result.lhr.runtimeError.message}`)
  if (REPORTS_DIR) {
    mkdirSync(REPORTS_DIR, { recursive: true })
    writeFileSync(join(REPORTS_DIR, `${name.replaceAll(' ', '-')}-${Date.now()}.json`), String(result.report))
  }
  return {
    performance: Math.round((categories.performance?.score ?? 0) * 100),
    accessibility: Math.round((categories.accessibility?.score ?? 0) * 100),
    lcpMs: audits['largest-contentful-paint']?.numericValue ?? Number.NaN,
  }
}

/**
 * `measure`, tried again (twice at most) when Lighthouse says its trace went wrong and asks to be run again
 * (NO_NAVSTART and the like, which a busy machine brings about now and then).
 */
async function measureAgainIfAsked(...args: Parameters<typeof measure>): Promise<Measure> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measure(...args)
    } catch (err) {
      if (attempt === 3 || !/run Lighthouse again/i.test(String(err))) throw err
      console.warn(`${args[1]}: ${String(err).split('\n')[0]}; measuring again`)
    }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

await buildWebIfNeeded()
const dataDir = mkdtempSync(join(tmpdir(), 'sillon-lighthouse-'))
const server = await startServer({ PORT: String(await freePort()), DATA_DIR: dataDir, SEED_DEMO: 'true' })
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
})
try {
  const cookie = await signInCookie(server.url)
  const courseId = await firstCourseId(server.url, cookie)
  const pages = [
    { name: 'sign-in', url: `${server.url}/signin` },
    { name: 'student dashboard', url: `${server.url}/`, cookie },
    { name: 'course player', url: `${server.url}/courses/${courseId}`, cookie },
  ]
  console.log(`Lighthouse mobile, median of ${RUNS} run(s) per page`)
  console.log('page                 performance  accessibility  LCP')
  for (const page of pages) {
    const runs: Measure[] = []
    for (let i = 0; i < RUNS; i++)
      runs.push(await measureAgainIfAsked(page.name, page.url, chrome.port, page.cookie))
    const performance = median(runs.map((r) => r.performance))
    const accessibility = median(runs.map((r) => r.accessibility))
    const lcp = median(runs.map((r) => r.lcpMs)) / 1000
    console.log(
      `${page.name.padEnd(20)} ${String(performance).padStart(11)}  ${String(accessibility).padStart(13)}  ${lcp.toFixed(1)} s`,
    )
  }
} finally {
  chrome.kill()
  await server.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
