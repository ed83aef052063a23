import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killChildren, runToExit } from '../test/helpers/processes.ts'

// cli.test.ts runs the commands in its own process; these run the real `sillon` (node bin/sillon.js, through
// tsx), for what only a process shows: that it starts, prints, and exits with the code of the outcome.

const RUN_TIMEOUT_MS = 30_000

describe('the sillon command as a process', () => {
  let scratch: string
  const sillon = (...args: string[]) =>
    runToExit(['bin/sillon.js', ...args], { DATA_DIR: scratch }, RUN_TIMEOUT_MS)

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'sillon-cli-smoke-'))
  })
  afterAll(async () => {
    await killChildren()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('prints the usage on --help and exits with 0, or with 2 and the reason on an unknown command', async () => {
    const [help, unknown] = await Promise.all([sillon('--help'), sillon('frobnicate')])
    expect(help).toMatchObject({ code: 0, stderr: '' })
    expect(help.stdout).toMatch(/^Usage: sillon <command> \[options\]/)
    expect(unknown).toMatchObject({ code: 2, stdout: '' })
    expect(unknown.stderr).toMatch(/^sillon: unknown command "frobnicate"\n\nUsage: sillon/)
  })

  it('migrates an embedded database, creates a school, and exits with 1 when the slug is taken', async () => {
    const migrated = await sillon('migrate')
    expect(migrated).toMatchObject({ code: 0, stderr: '' })
    expect(migrated.stdout).toMatch(/^applied: \S+/)
    const created = await sillon('org', 'create', 'smoke-school', '--name', 'Smoke School')
    expect(created).toMatchObject({ code: 0, stderr: '' })
    expect(created.stdout).toMatch(/^organisation "Smoke School" created \(slug smoke-school, id \S+\)$/m)
    expect(await sillon('org', 'create', 'smoke-school', '--name', 'Again')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'sillon: An organisation with the slug "smoke-school" already exists\n',
    })
  })
})
