#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx sillon …` works straight after `npm install`.
import { register } from 'tsx/esm/api'

register()
const { processIo, runCli } = await import('../src/cli.ts')
const code = await runCli(process.argv.slice(2), processIo)
// A failed command ends at once, as it always has; a successful one once its work has drained.
if (code !== 0) process.exit(code)
