import { spawn } from 'node:child_process'
import { BackupError } from './archive.ts'

// pg_dump and pg_restore, run as child processes. The password travels in the environment (PGPASSWORD),
// not on the command line where `ps` would show it.

function connection(databaseUrl: string): { dbname: string; env: Record<string, string> } {
  const url = new URL(databaseUrl)
  const password = decodeURIComponent(url.password)
  url.password = ''
  return { dbname: url.toString(), env: password ? { PGPASSWORD: password } : {} }
}

function run(tool: 'pg_dump' | 'pg_restore', args: string[], databaseUrl: string): Promise<void> {
  const { dbname, env } = connection(databaseUrl)
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${dbname}`], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new BackupError(
              `${tool} is not installed (or not on PATH): install the PostgreSQL client tools of the server's major version (Debian: postgresql-client-<major>)`,
            )
          : err,
      )
    })
    child.once('close', (code) => {
      if (code === 0) resolve()
      else reject(new BackupError(`${tool} failed (exit code ${code}):\n${stderr.trim()}`))
    })
  })
}

/**
 * A consistent dump of the whole database (pg_dump reads it in one snapshot while the app keeps writing),
 * in the custom format that pg_restore reads.
 */
export function dumpPostgres(databaseUrl: string, file: string): Promise<void> {
  return run('pg_dump', ['--format=custom', `--file=${file}`], databaseUrl)
}

/**
 * Restores a dump in one transaction: it lands whole or not at all. Ownership and grants are left to the
 * target's user, which may not be the one that made the backup.
 */
export function restorePostgres(databaseUrl: string, file: string): Promise<void> {
  return run(
    'pg_restore',
    ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', file],
    databaseUrl,
  )
}
