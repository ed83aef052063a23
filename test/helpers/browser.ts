import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page, request } from 'playwright-core'
import { afterAll, beforeAll, inject } from 'vitest'
import { freePort, killChildren, type RunningServer, startServer } from './processes.ts'

// Browser tests drive Debian's Chromium (apt-get install chromium) through playwright-core; no browser is
// ever downloaded. Outside CI they are skipped when Chromium is missing; in CI its absence fails the run.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The tests play the course video themselves, muted, without a click on the page first.
  '--autoplay-policy=no-user-gesture-required',
]

export const browserAvailable = existsSync(CHROMIUM_PATH)
if (!browserAvailable && process.env.CI === 'true') {
  throw new Error(`CI=true but there is no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`)
}

/** A fresh browser: playwright gives each launch its own temporary user-data-dir. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
}

/**
 * A connection to the browser tier's one Chromium (test/global-setup-browser.ts), or a fresh browser outside
 * it. Closing it closes the contexts it opened and leaves the browser to the other files.
 */
export function connectBrowser(): Promise<Browser> {
  const endpoint = inject('browserEndpoint')
  return endpoint ? chromium.connect(endpoint) : launchBrowser()
}

export type DemoSchoolInBrowser = { server: RunningServer; browser: Browser; dataDir: string }

/**
 * What a browser test file shares: the real server on a fresh demo school (embedded SQLite in a temporary
 * folder, `env` added to its environment), started before the file's tests and stopped after them, and a
 * connection to the run's browser. Read its fields inside the tests, once they have started.
 */
export function useDemoSchoolInBrowser(env: Record<string, string> = {}): DemoSchoolInBrowser {
  const session = {} as DemoSchoolInBrowser
  beforeAll(async () => {
    session.dataDir = mkdtempSync(join(tmpdir(), 'sillon-e2e-'))
    session.server = await startServer({ PORT: String(await freePort()), DATA_DIR: session.dataDir, ...env })
    session.browser = await connectBrowser()
  })
  afterAll(async () => {
    await session.browser?.close()
    await session.server?.stop()
    await killChildren()
    if (session.dataDir) rmSync(session.dataDir, { recursive: true, force: true })
  })
  return session
}

/**
 * A context as a person would have one: a language, a screen size, and the page's errors collected. It
 * asks for reduced motion, as the system settings of some people do: the app's dialogs and drawers then
 * open at once, so a check never catches one halfway through its fade, however fast the machine.
 */
export async function openPage(
  browser: Browser,
  options: {
    locale?: string
    width?: number
    height?: number
    timezoneId?: string
    colorScheme?: 'light' | 'dark'
    /** How often a playing video pings, when a test waits for a ping period to go by (default 10 s). */
    pingEveryMs?: number
  } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    locale: options.locale ?? 'fr-FR',
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    reducedMotion: 'reduce',
    timezoneId: options.timezoneId,
    colorScheme: options.colorScheme ?? 'light',
  })
  if (options.pingEveryMs) {
    await context.addInitScript(
      (ms) => localStorage.setItem('sillon.ping-every-ms', String(ms)),
      options.pingEveryMs,
    )
  }
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  return { context, page, errors }
}

// Evaluated by the browser's debugger rather than added as a <script>, which the pages' Content-Security-Policy
// refuses (no inline script).
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export type AxeViolation = {
  id: string
  impact: string | null
  help: string
  targets: string[]
  html: string[]
}

/**
 * Resolves once no transition or animation with an end is running (spinners loop forever and are left
 * alone): text halfway through a fade has a contrast that depends on the machine's speed.
 */
async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    // Finishing one may start another (a fade, then a slide): look again until none is left.
    for (;;) {
      const running = document
        .getAnimations()
        .filter((a) => a.playState === 'running' && a.effect?.getComputedTiming().endTime !== Infinity)
      if (running.length === 0) return
      await Promise.allSettled(running.map((a) => a.finished))
    }
  })
}

/**
 * The serious and critical accessibility violations axe-core finds on the page once its transitions
 * have ended (WCAG 2 A/AA).
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await animationsSettled(page)
  await page.evaluate(AXE_SOURCE)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<any> } }).axe
    const result = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
    return result.violations
      .filter((v: { impact: string | null }) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v: {
          id: string
          impact: string | null
          help: string
          nodes: { target: string[]; html: string }[]
        }) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: v.nodes.map((n) => n.target.join(' ')),
          html: v.nodes.map((n) => n.html.slice(0, 300)),
        }),
      )
  })
}

/** Whether the page scrolls sideways (it should not, down to a 375 px phone). */
export async function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
}

/** The password of every demo account (the server seeds the demo school on a fresh database). */
export const DEMO_PASSWORD = 'demo-sillon'

/** Signs in through the sign-in page, as a person would, in either language. */
export async function signIn(page: Page, url: string, email: string, password = DEMO_PASSWORD) {
  await page.goto(url)
  await page.getByLabel(/e-mail/i).fill(email)
  await page.getByRole('textbox', { name: /^(mot de passe|password)/i }).fill(password)
  await page.getByRole('button', { name: /^(se connecter|sign in)$/i }).click()
}

/**
 * Cuts the demo course's videos to their first `seconds` for the tests that watch them to the end: the
 * teacher points each video step at a media fragment of the demo clip (#t=0,N, where the browser stops
 * playing) and gives it that duration, so the server credits it once those seconds are watched.
 */
export async function shortenDemoVideos(serverUrl: string, seconds: number): Promise<void> {
  const api = await request.newContext({ baseURL: serverUrl })
  try {
    const login = await api.post('/api/auth/login', {
      data: { email: 'prof@demo.sillon.test', password: DEMO_PASSWORD },
    })
    if (!login.ok()) throw new Error(`the demo teacher could not sign in: ${login.status()}`)
    const courses = (await (await api.get('/api/lms/courses')).json()) as { id: string }[]
    for (const course of courses) {
      const steps = (await (await api.get(`/api/lms/classes?course_id=${course.id}&limit=100`)).json()) as {
        id: string
        video: { source: string; url?: string } | null
      }[]
      for (const step of steps) {
        if (step.video?.source !== 'url' || !step.video.url) continue
        const url = `${step.video.url.split('#')[0]}#t=0,${seconds}`
        const res = await api.patch(`/api/lms/classes/${step.id}`, {
          data: { video: { source: 'url', url, duration_sec: seconds } },
        })
        if (!res.ok())
          throw new Error(`the demo video could not be shortened: ${res.status()} ${await res.text()}`)
      }
    }
  } finally {
    await api.dispose()
  }
}
