import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import type { PingRequest } from './pings.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const READY_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000

export type BenchServer = { url: string; pid: number; stop(): Promise<void> }

/**
 * Spawns `node --import tsx bench/server.ts` (through `taskset -c <cores>` when given) with `env`, and
 * resolves once it listens. With BENCH_CPU_PROFILE_DIR set, the server writes a V8 CPU profile there.
 */
export async function startBenchServer(
  env: Record<string, string>,
  cores: string | null,
): Promise<BenchServer> {
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
  const node = [process.execPath, ...profile, '--import', 'tsx', 'bench/server.ts']
  const [command, ...args] = cores === null ? node : ['taskset', '-c', cores, ...node]
  const child = spawn(command as string, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`bench server not ready\n${output}`))
    }, READY_TIMEOUT_MS)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      const ready = /\{"ready":(\d+)\}/.exec(output)
      if (!ready) return
      clearTimeout(timer)
      resolve(Number(ready[1]))
    })
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`bench server exited before listening\n${output}`))
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    // taskset execs node in place: the pid is the server's.
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    },
  }
}

export type LoadResult = {
  seconds: number
  requests: number
  ok: number
  /** Events the server said it accepted (a batch answers 200 even when it refuses some of its pings). */
  accepted: number
  /** Status code -> count, for every answer that was not 2xx, and connection errors/timeouts. */
  failures: Record<string, number>
  /** The first non-2xx answer, to tell why. */
  firstFailure: string | null
  p50Ms: number
  p99Ms: number
}

/** Fires POST /api/video-event for `seconds` over `connections` keep-alive connections, each body from `next`. */
export async function fireRequests(options: {
  url: string
  seconds: number
  connections: number
  next: () => PingRequest
  /** How many events a 2xx answer accepted; one by default. */
  acceptedIn?: (body: string) => number
}): Promise<LoadResult> {
  let firstFailure: string | null = null
  let accepted = 0
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/video-event',
        setupRequest: (request) => ({ ...request, ...options.next() }),
        onResponse: (status, body) => {
          if (status < 300) accepted += options.acceptedIn?.(body) ?? 1
          else if (firstFailure === null) firstFailure = `${status} ${body.slice(0, 300)}`
        },
      },
    ],
  })
  const failures: Record<string, number> = {}
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (!code.startsWith('2')) failures[code] = count ?? 0
  }
  if (result.errors > 0) failures.errors = result.errors
  if (result.timeouts > 0) failures.timeouts = result.timeouts
  return {
    seconds: result.duration,
    requests: result.requests.total,
    ok: result['2xx'],
    accepted,
    failures,
    firstFailure,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  }
}
