import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

// Server and load generator on separate cores, so neither steals the other's CPU and the numbers say
// what one core of server does.

export type Pinning = {
  /** `taskset -c` list for the server process, or null when it cannot be pinned. */
  server: string | null
  /** `taskset -c` list for this process (the load generator) while it fires requests. */
  load: string | null
  /** Every core, for setup phases when no server runs. */
  all: string | null
  note: string
}

export function planPinning(): Pinning {
  const cores = availableParallelism()
  const taskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0
  if (!taskset) {
    return {
      server: null,
      load: null,
      all: null,
      note: `taskset is unavailable: server and load generator share the ${cores} core(s), numbers are pessimistic`,
    }
  }
  if (cores < 2) {
    return {
      server: null,
      load: null,
      all: null,
      note: 'only one core: server and load generator share it, numbers are pessimistic',
    }
  }
  return {
    server: '0',
    load: '1',
    all: `0-${cores - 1}`,
    note: `server pinned to core 0, load generator to core 1 (${cores} cores)`,
  }
}

/** Moves every thread of a running process to these cores. */
export function pinProcess(pid: number, cores: string | null): void {
  if (cores === null) return
  const result = spawnSync('taskset', ['-a', '-cp', cores, String(pid)], { stdio: 'ignore' })
  if (result.status !== 0) throw new Error(`taskset could not pin process ${pid} to ${cores}`)
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

/** Busy ticks of the whole machine, from /proc/stat; null where there is none. */
function machineBusyTicks(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number)
    if (!fields) return null
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields
    return user + nice + system + irq + softirq + steal
  } catch {
    return null
  }
}

/** User and system ticks of one process (every thread). */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces: count the fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return 0
  }
}

/**
 * Runs `task` and tells how many cores everything but `pids` kept busy meanwhile (the database server,
 * or other work on the machine that disturbs the numbers); null where /proc cannot tell.
 */
export async function otherCpuDuring<T>(pids: number[], task: () => Promise<T>) {
  const ours = () => pids.reduce((sum, pid) => sum + processTicks(pid), 0)
  const busyBefore = machineBusyTicks()
  const oursBefore = ours()
  const started = performance.now()
  const result = await task()
  const busyAfter = machineBusyTicks()
  const seconds = (performance.now() - started) / 1000
  if (busyBefore === null || busyAfter === null) return { result, otherCores: null }
  const others = busyAfter - busyBefore - (ours() - oursBefore)
  return { result, otherCores: Math.max(0, others) / TICKS_PER_SECOND / seconds }
}
