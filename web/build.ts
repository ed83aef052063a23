import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
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

function sourceHash(): string {
  const hash = createHash('sha256')
  const lock = fileURLToPath(new URL('../package-lock.json', import.meta.url))
  for (const file of [...sourceFiles(WEB_DIR), lock]) {
    hash.update(relative(WEB_DIR, file)).update(readFileSync(file))
  }
  return hash.digest('hex')
}

/** Builds the web app unless dist/web already holds a build of the current sources. */
export async function buildWebIfNeeded(log: (line: string) => void = console.log): Promise<void> {
  const hash = sourceHash()
  if (existsSync(HASH_FILE) && readFileSync(HASH_FILE, 'utf8') === hash) return
  log('Building the web app (once per change of its sources)…')
  await build({ configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' })
  writeFileSync(HASH_FILE, hash)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildWebIfNeeded()
