import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'

// Tests come in tiers by what they cost, each a Vitest project that runs alone (`npm run test:<tier>`).
// A file's tier is that of the costliest thing it uses, read from where it lives and what it imports:
//   browser   under test/e2e/ (Chromium against the real server)
//   process   child processes: test/helpers/processes.ts, private-postgres.ts or node:child_process
//   http      the whole app in-process, over loopback HTTP: test/helpers/app.ts
//   db        a real database, below the HTTP layer: test/helpers/databases.ts
//   unit      none of these
const TIERS = ['unit', 'db', 'http', 'process', 'browser'] as const
type Tier = (typeof TIERS)[number]

const ROOT = fileURLToPath(new URL('.', import.meta.url))
const TEST_FOLDERS = ['src', 'test', 'web']

function tierOf(file: string, source: string): Tier {
  if (file.startsWith('test/e2e/')) return 'browser'
  if (/helpers\/(processes|private-postgres)\.ts'|'node:child_process'/.test(source)) return 'process'
  if (/helpers\/app\.ts'/.test(source)) return 'http'
  if (/helpers\/databases\.ts'/.test(source)) return 'db'
  return 'unit'
}

function testFilesByTier(): Record<Tier, string[]> {
  const byTier = Object.fromEntries(TIERS.map((tier) => [tier, [] as string[]])) as Record<Tier, string[]>
  for (const folder of TEST_FOLDERS) {
    for (const entry of readdirSync(`${ROOT}${folder}`, { recursive: true, encoding: 'utf8' })) {
      const file = `${folder}/${entry.replaceAll('\\', '/')}`
      if (!file.endsWith('.test.ts') || file.includes('node_modules/')) continue
      byTier[tierOf(file, readFileSync(`${ROOT}${file}`, 'utf8'))].push(file)
    }
  }
  return byTier
}

const files = testFilesByTier()

/** The web app is built (when its sources changed) before the tiers that start the real server. */
const BUILD_WEB = 'test/global-setup.ts'
/** One Chromium for all the browser tests, which connect to it (see test/helpers/browser.ts). */
const BROWSER = 'test/global-setup-browser.ts'
/** Migrated template databases, copied by each test file (see test/helpers/databases.ts). */
const DATABASES = 'test/global-setup-databases.ts'

function tier(
  name: Tier,
  options: { globalSetup?: string[]; isolate?: boolean } = {},
): TestProjectInlineConfiguration {
  // A tier with no file yet would otherwise fall back to Vitest's default include, i.e. every test.
  const include = files[name].length > 0 ? files[name] : [`no-${name}-tests-yet.test.ts`]
  return { extends: true, test: { name, include, ...options } }
}

export default defineConfig({
  test: {
    pool: 'forks',
    // One file per core leaves them idle: the browser and process tiers wait on real time (a video
    // playing, a child process starting) and every database test on PostgreSQL, a process of its own.
    maxWorkers: availableParallelism() + 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      // The files of these tiers build their own apps and databases and share no module state, so a
      // worker keeps the modules it loaded for the next file instead of loading the app again for each.
      tier('unit', { isolate: false }),
      tier('db', { globalSetup: [DATABASES], isolate: false }),
      tier('http', { globalSetup: [DATABASES], isolate: false }),
      tier('process', { globalSetup: [BUILD_WEB, DATABASES] }),
      tier('browser', { globalSetup: [BUILD_WEB, BROWSER] }),
    ],
  },
})
