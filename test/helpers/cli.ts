import pino from 'pino'
import { runCli } from '../../src/cli.ts'
import { cheapPasswordHasher } from './app.ts'

// `sillon` run in the test's own process (runCli, what bin/sillon.js calls), with the cheap password hasher:
// no process to start, and what it prints collected. Real-process runs are kept in src/cli-smoke.test.ts.

export type CliOutput = { code: number; stdout: string; stderr: string }

// One command at a time in this process: a command waiting for the embedded SQLite file's write lock would
// block the event loop that the first one needs to finish (better-sqlite3 is synchronous), where two
// processes simply took turns.
let turn: Promise<unknown> = Promise.resolve()

/** Runs `task` once the commands (and app starts) queued before it in this process have ended. */
export function inTurn<T>(task: () => Promise<T>): Promise<T> {
  const result = turn.then(task, task)
  turn = result.catch(() => {})
  return result
}

/** `sillon <args>` to completion: its exit code, and what it printed (its log lines go to stdout, as in a process). */
export function sillon(args: string[], env: Record<string, string>): Promise<CliOutput> {
  return inTurn(async () => {
    let stdout = ''
    let stderr = ''
    const code = await runCli(args, {
      env: { LOG_LEVEL: 'warn', ...env },
      stdout: (text) => {
        stdout += text
      },
      stderr: (text) => {
        stderr += text
      },
      logger: (config) =>
        pino(
          { level: config.LOG_LEVEL },
          {
            write: (line: string) => {
              stdout += line
            },
          },
        ),
      passwordHasher: cheapPasswordHasher,
    })
    return { code, stdout, stderr }
  })
}
