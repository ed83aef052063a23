import { buildWebIfNeeded } from '../web/build.ts'

// The browser tests drive the built web app: build it once, before any test file starts a server.
export default async function setup() {
  await buildWebIfNeeded((line) => process.stderr.write(`${line}\n`))
}
