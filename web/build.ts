import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

// Builds the web app into dist/web when its sources changed since the last build, so `npm start` stays
// one command and restarts cost nothing. The sources' hash is kept beside the build.

const WEB_DIR = fileURLToPath(new URL('.', import.meta.url))
export const WEB_BUILD_DIR = fileURLToPath(new URL('../dist/web', import.meta.url))
const HASH_FILE = join(WEB_BUILD_DIR, '.source-hash')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? sourceFiles(path) : [path]
    })
}

const LOCK_FILE = fileURLToPath(new URL('../package-lock.json', import.meta.url))

/** The hash of what a build is made of: the web app's files (in `webDir`) and the locked dependencies. */
export function webSourceHash(webDir = WEB_DIR, lock = LOCK_FILE): string {
  const hash = createHash('sha256')
  for (const file of [...sourceFiles(webDir), lock]) {
    hash.update(relative(webDir, file)).update(readFileSync(file))
  }
  return hash.digest('hex')
}

/**
 * Vite builds React's development code (twice the size, several times slower to run) when NODE_ENV says
 * anything but production, and Vitest sets it to "test": the browser tests' build was a development one,
 * under the same sources' hash as the server's. The build is always the production one that people get.
 */
async function buildForProduction(webDir: string): Promise<void> {
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      configFile: join(webDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: WEB_BUILD_DIR, emptyOutDir: true },
    })
  } finally {
    if (nodeEnv === undefined) Reflect.deleteProperty(process.env, 'NODE_ENV')
    else process.env.NODE_ENV = nodeEnv
  }
}

/** The sources' hash that dist/web was built from, as its build wrote it; undefined without a finished build. */
export function builtSourceHash(): string | undefined {
  return existsSync(HASH_FILE) ? readFileSync(HASH_FILE, 'utf8') : undefined
}

/**
 * Builds the web app unless dist/web already holds a build of the current sources, and returns the hash of
 * the sources it holds. It builds a copy of the sources taken at one moment (beside the build, so that the
 * dependencies resolve as from web/): files saved during the build cannot slip into it, and the hash written
 * beside the build is always the hash of exactly what was built.
 */
export async function buildWebIfNeeded(log: (line: string) => void = console.log): Promise<string> {
  const current = webSourceHash()
  if (builtSourceHash() === current) return current
  log('Building the web app (once per change of its sources)…')
  mkdirSync(join(WEB_BUILD_DIR, '..'), { recursive: true })
  const copy = mkdtempSync(join(WEB_BUILD_DIR, '..', '.web-sources-'))
  try {
    cpSync(WEB_DIR, join(copy, 'web'), { recursive: true })
    cpSync(LOCK_FILE, join(copy, 'package-lock.json'))
    const hash = webSourceHash(join(copy, 'web'), join(copy, 'package-lock.json'))
    await buildForProduction(join(copy, 'web'))
    writeFileSync(HASH_FILE, hash)
    return hash
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildWebIfNeeded()
