import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { freePort, startServer } from '../test/helpers/processes.ts'
import { buildWebIfNeeded, builtSourceHash, WEB_BUILD_DIR, webSourceHash } from '../web/build.ts'

// `npm run lighthouse`: Lighthouse's mobile profile (simulated slow 4G and a 4× slower CPU) on the pages a
// student meets first, against the built app on a fresh demo school. A measurement to read, never a test:
// it prints the scores and always exits 0 once it has them. The median of RUNS runs per page is printed,
// since one run on a busy machine moves by several points. LIGHTHOUSE_PAGES=player (or sign-in, dashboard,
// comma-separated) measures only those pages.
//
// It measures the build of the sources as they are: web/build.ts builds again when they differ from what
// dist/web was built from, the output names that build (the sources' hash, the commit and the web files
// changed since), and when dist/web changes during the measurement (another build in the same checkout) the
// figures are refused rather than printed.

const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// A folder to keep each run's full report in (JSON, viewable at googlechrome.github.io/lighthouse/viewer).
const REPORTS_DIR = process.env.LIGHTHOUSE_REPORTS
const STUDENT = { email: 'lea@demo.sillon.test', password: 'demo-sillon' }

type Measure = { performance: number; accessibility: number; fcpMs: number; lcpMs: number; tbtMs: number }

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
    fcpMs: audits['first-contentful-paint']?.numericValue ?? Number.NaN,
    lcpMs: audits['largest-contentful-paint']?.numericValue ?? Number.NaN,
    tbtMs: audits['total-blocking-time']?.numericValue ?? Number.NaN,
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

/** What identifies the build being served: the sources' hash its build wrote, and its manifest of chunks. */
function buildFingerprint(): string {
  const manifest = join(WEB_BUILD_DIR, '.vite', 'manifest.json')
  try {
    return `${builtSourceHash()}\n${readFileSync(manifest, 'utf8')}`
  } catch {
    return 'no build'
  }
}

/**
 * The web files (and lock file) of the working tree that differ from the commit checked out, compared by
 * content with the commit's tree: in a checkout shared by several people the index is not to be trusted.
 */
function changedSinceHead(): string[] {
  const git = (args: string[], input?: string) =>
    execFileSync('git', args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024, stdio: 'pipe' }).trim()
  const inHead = new Map(
    git(['ls-tree', '-r', 'HEAD', '--', 'web', 'package-lock.json'])
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [meta = '', path = ''] = line.split('\t')
        return [path, meta.split(' ')[2]] as const
      }),
  )
  const files = [
    'package-lock.json',
    ...readdirSync('web', { recursive: true, encoding: 'utf8' })
      .map((name) => `web/${name.replaceAll('\\', '/')}`)
      .filter((path) => statSync(path).isFile()),
  ]
  const blobs = git(['hash-object', '--stdin-paths'], files.join('\n')).split('\n')
  const changed = files.filter((path, i) => inHead.get(path) !== blobs[i])
  const removed = [...inHead.keys()]
    .filter((path) => !files.includes(path))
    .map((path) => `${path} (removed)`)
  return [...changed, ...removed]
}

/** One line on the build measured: the sources' hash, when it was built, the commit and what differs from it. */
function describeBuild(sourcesHash: string): string {
  const builtAt = statSync(join(WEB_BUILD_DIR, '.source-hash')).mtime.toISOString()
  let source: string
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim()
    const changed = changedSinceHead()
    source = `commit ${head}${changed.length > 0 ? ` and the working tree's ${changed.join(', ')}` : ', no web change beside it'}`
  } catch {
    source = 'not a git checkout'
  }
  const since = webSourceHash() === sourcesHash ? '' : '; the sources have changed since, as they are now'
  return `Measuring the web build of sources ${sourcesHash.slice(0, 12)} (built ${builtAt} from ${source}${since})`
}

const pageFilter = process.env.LIGHTHOUSE_PAGES?.split(',').map((name) => name.trim())
const sourcesHash = await buildWebIfNeeded()
const fingerprint = buildFingerprint()
console.log(describeBuild(sourcesHash))
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
    { name: 'sign-in', short: 'sign-in', url: `${server.url}/signin` },
    { name: 'student dashboard', short: 'dashboard', url: `${server.url}/`, cookie },
    { name: 'course player', short: 'player', url: `${server.url}/courses/${courseId}`, cookie },
  ].filter((page) => !pageFilter || pageFilter.includes(page.short))
  console.log(`Lighthouse mobile, median of ${RUNS} run(s) per page`)
  console.log('page                 performance  accessibility    FCP    LCP     TBT')
  for (const page of pages) {
    const runs: Measure[] = []
    for (let i = 0; i < RUNS; i++) {
      runs.push(await measureAgainIfAsked(page.name, page.url, chrome.port, page.cookie))
      // The server read index.html when it started, but serves the assets from disk as they are now.
      if (buildFingerprint() !== fingerprint)
        throw new Error(
          'dist/web changed while it was being measured (another build in this checkout): no figures; measure again',
        )
    }
    const at = (key: keyof Measure) => median(runs.map((r) => r[key]))
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(6)
    console.log(
      `${page.name.padEnd(20)} ${String(at('performance')).padStart(11)}  ${String(at('accessibility')).padStart(13)} ${seconds(at('fcpMs'))} ${seconds(at('lcpMs'))} ${`${Math.round(at('tbtMs'))} ms`.padStart(7)}`,
    )
  }
} finally {
  chrome.kill()
  await server.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
