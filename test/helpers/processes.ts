import { type ChildProcess, spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { TestClient } from './app.ts'

// Helpers for tests that run the app as a real child process (node, through tsx), from the project root.

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The arguments of `npm start`: node runs the server entry through tsx. */
export const SERVER_ENTRY = ['--import', 'tsx', 'src/entry/node.ts']
const START_TIMEOUT_MS = 20_000
const STOP_TIMEOUT_MS = 10_000

export type Output = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export type RunningServer = {
  url: string
  stdout(): string
  stderr(): string
  /** Sends SIGTERM (SIGKILL if it lingers) and resolves with the exit code. */
  stop(): Promise<number | null>
}

/** Every child still running, so `killChildren` can end those a failed test left behind. */
const children = new Set<ChildProcess>()

/** A port nobody listens on right now: listen on port 0, note the port, close. */
export async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/**
 * Only what the child needs, so the developer's own DATABASE_URL or PORT cannot leak in.
 * LOG_LEVEL defaults to `warn` to keep the output small; `env` may set it.
 */
function childEnv(env: Record<string, string>): Record<string, string> {
  const inherited: Record<string, string> = {}
  for (const key of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[key]
    if (value !== undefined) inherited[key] = value
  }
  return { ...inherited, LOG_LEVEL: 'warn', ...env }
}

/**
 * Spawns `node <args>` in the project root with only `env` (see `childEnv`) and collects its output.
 * `exited` resolves once the process has closed, with everything it printed; `stdout()` and `stderr()`
 * return what it has printed so far.
 */
function launch(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<Output>((resolve) => {
    child.once('close', (code, signal) => {
      children.delete(child)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { child, exited, stdout: () => stdout, stderr: () => stderr }
}

/** Sends SIGTERM, then SIGKILL if the child lingers, and resolves with its exit code (at once if it has exited). */
async function stopChild(child: ChildProcess, exited: Promise<Output>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return (await exited).code
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  try {
    return (await exited).code
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `node <args>` to completion, killing it with SIGKILL if it outlives the timeout. */
export async function runToExit(
  args: string[],
  env: Record<string, string>,
  timeoutMs = START_TIMEOUT_MS,
): Promise<Output> {
  const { child, exited } = launch(args, env)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  try {
    return await exited
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Starts the server (`npm start`) on `env.PORT`, by default on 127.0.0.1 with that address as PUBLIC_URL,
 * and resolves once it has printed its banner (it listens by then). Rejects, with the output, if it exits
 * first or is not ready within START_TIMEOUT_MS.
 */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const url = `http://127.0.0.1:${env.PORT}`
  const { child, exited, stdout, stderr } = launch(SERVER_ENTRY, {
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    ...env,
  })
  const server: RunningServer = { url, stdout, stderr, stop: () => stopChild(child, exited) }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void server.stop()
      reject(new Error(`server not ready after ${START_TIMEOUT_MS} ms\n${stdout()}\n${stderr()}`))
    }, START_TIMEOUT_MS)
    const onData = () => {
      if (!stdout().includes('Sillon is running at')) return
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      resolve()
    }
    child.stdout?.on('data', onData)
    void exited.then(({ code }) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening\n${stdout()}\n${stderr()}`))
    })
  })
  return server
}

/** SIGKILLs every child still running and waits for them to close; register with `afterAll(killChildren)`. */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
}

/**
 * A student's video pings in four lanes, each sending the next as soon as the server answers the last,
 * until `stop()`. A lane ends quietly when the server goes away (a killed process).
 */
export function pingsUnderLoad(student: TestClient, classId: string) {
  const acknowledged: string[] = []
  const refused: string[] = []
  let stopped = false
  const lane = async (n: number) => {
    for (let i = 0; !stopped; i++) {
      const id = crypto.randomUUID()
      try {
        const res = await student.post('/api/video-event', {
          event_id: id,
          class_id: classId,
          position: n + i / 100,
        })
        if (res.status === 200 && res.body.results[0].status === 'accepted') acknowledged.push(id)
        else refused.push(`${res.status} ${JSON.stringify(res.body)}`)
      } catch {
        return
      }
    }
  }
  const lanes = [0, 1, 2, 3].map(lane)
  return {
    acknowledged,
    refused,
    /** Resolves once `count` pings are acknowledged, or after `withinMs`. */
    async until(count: number, withinMs: number) {
      const deadline = Date.now() + withinMs
      while (acknowledged.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    /** Sends no more; resolves when the lanes' last requests have ended. */
    stop(): Promise<unknown> {
      stopped = true
      return Promise.all(lanes)
    },
  }
}
