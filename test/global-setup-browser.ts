import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import type { TestProject } from 'vitest/node'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './helpers/browser.ts'

declare module 'vitest' {
  interface ProvidedContext {
    /** Where the run's one Chromium listens for playwright's connections (absent without Chromium). */
    browserEndpoint?: string
  }
}

// Starting Chromium costs seconds: the browser tier starts one, and each test file connects to it and works
// in contexts of its own (as isolated as separate browsers: cookies, storage, cache).
export default async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM_PATH)) return
  const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  project.provide('browserEndpoint', server.wsEndpoint())
  return () => server.close()
}
