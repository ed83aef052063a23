import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './processes.ts'

// A PostgreSQL cluster of a test's own, on a free loopback port and in a temporary folder, that the test
// may stop, start, freeze and thaw without disturbing the shared server the other tests use.

const run = promisify(execFile)
const POSTGRES_ROOT = '/usr/lib/postgresql'
const POSTGRES_USER = 'postgres'

/** The bin folder of the newest PostgreSQL installed, or null when there is none. */
function postgresBinaries(): string | null {
  if (!existsSync(POSTGRES_ROOT)) return null
  const versions = readdirSync(POSTGRES_ROOT)
    .filter((v) => existsSync(join(POSTGRES_ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(POSTGRES_ROOT, versions[0], 'bin') : null
}

const binaries = postgresBinaries()
if (!binaries && process.env.CI === 'true') {
  throw new Error(`CI=true but no PostgreSQL binaries (initdb, pg_ctl) in ${POSTGRES_ROOT}/*/bin`)
}

/** Whether tests can create a private cluster here; always true in CI, where a missing one is a failure. */
export const privatePostgresAvailable = binaries !== null

export type PrivatePostgres = {
  /** Connection URL of its `postgres` database, as the superuser (trust authentication). */
  url: string
  /** Fast shutdown: sessions are ended with 57P01 (admin_shutdown), as in a restart or failover. */
  stop(): Promise<void>
  /** Starts it again (nothing to do when it runs). */
  start(): Promise<void>
  /** SIGSTOP to every process of the cluster: it accepts connections and answers nothing, like a stall. */
  freeze(): Promise<void>
  thaw(): Promise<void>
  /** Stops the cluster and removes its folder. */
  destroy(): Promise<void>
}

/**
 * Creates and starts a cluster. initdb refuses to run as root, so as root the cluster belongs to the
 * `postgres` system user and its commands run through runuser.
 */
export async function createPrivatePostgres(): Promise<PrivatePostgres> {
  if (!binaries) throw new Error(`no PostgreSQL binaries in ${POSTGRES_ROOT}/*/bin`)
  const dir = mkdtempSync(join(tmpdir(), 'sillon-pg-'))
  const asRoot = userInfo().uid === 0
  if (asRoot) {
    const { stdout } = await run('id', ['-u', POSTGRES_USER])
    chownSync(dir, Number(stdout.trim()), -1)
  }
  const tool = (name: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', POSTGRES_USER, '--', join(binaries, name), ...args])
      : run(join(binaries, name), args)
  const data = join(dir, 'data')
  const port = await freePort()
  await tool('initdb', [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
    '--no-locale',
  ])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  let running = false
  const start = async () => {
    if (running) return
    await tool('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])
    running = true
  }
  const stop = async () => {
    if (!running) return
    await tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
    running = false
  }
  const processes = async (): Promise<number[]> => {
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
    const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)])
    return [postmaster, ...stdout.split('\n').filter(Boolean).map(Number)]
  }
  const signal = async (name: NodeJS.Signals) => {
    for (const pid of await processes()) process.kill(pid, name)
  }
  await start()
  let destroyed = false
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async destroy() {
      if (destroyed) return
      destroyed = true
      if (running) {
        await signal('SIGCONT')
        await stop()
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
