import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { Logger } from 'pino'
import type { AppDeps } from './app.ts'
import { systemClock } from './core/clock.ts'
import { type Config, ConfigError, loadConfig } from './core/config.ts'
import { migrateToLatest } from './core/db/migrate.ts'
import { projectionStatus, rebuildProjection } from './core/events/projector.ts'
import { AppError } from './core/http/errors.ts'
import { listJobs, runJobByHand } from './core/jobs/commands.ts'
import type { JobOccurrence, RunResult } from './core/jobs/execute.ts'
import { isScheduled, ORGANISATION_TIMEZONE } from './core/jobs/job.ts'
import type { JobRunRow } from './core/jobs/tables.ts'
import { DEMO_ORG, DEMO_PASSWORD, demoAccounts, seedDemo } from './demo.ts'
import { BackupError, runBackupCommand } from './entry/backup/command.ts'
import { createLogger, openDatabase, openRuntime, type Runtime } from './entry/runtime.ts'
import { runSchoolCommand, SchoolTransferError } from './entry/school-transfer/command.ts'
import * as catalog from './modules/catalog/index.ts'
import * as identity from './modules/identity/index.ts'
import { erasePersonByEmail } from './modules/privacy/index.ts'
import { trackingEvents } from './modules/tracking/index.ts'

const usage = `Usage: sillon <command> [options]

Commands:
  migrate                                         apply database migrations
  org create <slug> --name "<name>" [--locale fr|en] [--timezone <IANA zone>]
  user create --org <slug> --email <e> --role <role> [--name "<name>"] [--password <p>]
                                                  without --password, prints an invitation link
  token create --org <slug> --email <e> [--name <label>] [--expires-in-days <n>]
                                                  prints the new token alone on the last line
  superadmin grant|revoke --email <e>             give or take platform administration
  seed-demo                                       create the demo school (once)
  projections status|reconcile                    show lag and failures of read models, or catch them up
  projections rebuild [name]                      empty read models and replay the event and signal logs into them
  jobs list                                       show the jobs, their schedule and their last run
  jobs run <name> [--at <iso-date>] [--org <slug>]
                                                  run a scheduled job now for the period containing
                                                  --at (default: now); a period already done is skipped
  course export <course-id>                       print the course as one JSON document
  course import <file> --org <slug>               create a draft course in that school from a document
  privacy erase --org <slug> --email <e>          erase a member from that school (GDPR; cannot be undone)
  backup <file>                                   write the database (a consistent snapshot, taken while
                                                  the app runs) and uploaded files into one archive
  restore <file>                                  restore an archive into an empty data directory or database
  school export <slug> <file>                     write the whole school (courses, files, members, progress,
                                                  logs, gamification) into one archive, to move it
  school import <file>                            add an exported school to this instance, ids preserved
                                                  (refused if its slug, accounts or ids are already here)
  stream upload --file <path> --name "<name>" [--max-duration-seconds <s>] [--require-signed-urls]
                                                  upload a video to Cloudflare Stream; prints its uid
                                                  alone on the last line

Roles: ${identity.roles.join(', ')}. The environment configures the database and Cloudflare (see README).`

class UsageError extends Error {}

/** The command cannot run as configured: exit code 1 and the reason, without the usage. */
class CommandError extends Error {}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing ${flag}`)
  return value
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of: ${allowed.join(', ')} (got "${value}")`)
  }
  return value as T
}

function describeLastRun(run: JobRunRow | null): string {
  if (!run) return 'never run'
  const org = run.org_id ? ` (organisation ${run.org_id})` : ''
  const duration = run.duration_ms === null ? '' : `, ${run.duration_ms} ms`
  const error = run.error ? `: ${run.error}` : ''
  return `last run ${run.outcome} for ${run.period_key}${org}, started ${run.started_at}${duration}${error}`
}

function describeRun(name: string, occurrence: JobOccurrence, result: RunResult): string {
  const org = occurrence.orgId ? ` (organisation ${occurrence.orgId}, ${occurrence.timezone})` : ''
  const what = `${name} for ${occurrence.period}${org}`
  if (result.outcome === 'ok') return `${what}: ok in ${result.durationMs} ms`
  if (result.outcome === 'failed') return `${what}: FAILED: ${result.error}`
  const why = result.heldBy?.outcome === 'running' ? 'running elsewhere' : 'already done'
  return `${what}: skipped, ${why}${result.heldBy ? ` (run ${result.heldBy.id})` : ''}`
}

/**
 * Where a run of the command reads its environment and writes its output: the process's own, or a test's
 * (which runs the command in its own process, with a cheaper password hasher).
 */
export type CliIo = {
  env: Record<string, string | undefined>
  stdout(text: string): void
  stderr(text: string): void
  /** Default: the app's logger on standard output, at LOG_LEVEL (`warn` unless set). */
  logger?: (config: Config) => Logger
  /** Default: scrypt. */
  passwordHasher?: AppDeps['passwordHasher']
}

async function withRuntime<T>(io: CliIo, run: (runtime: Runtime) => Promise<T>): Promise<T> {
  // Maintenance (a rebuild, an import) may run statements longer than a request should wait.
  const config = loadConfig({ LOG_LEVEL: 'warn', ...io.env, DATABASE_STATEMENT_TIMEOUT_MS: '0' })
  const runtime = await openRuntime(config, (io.logger ?? createLogger)(config), {
    passwordHasher: io.passwordHasher,
  })
  try {
    return await run(runtime)
  } finally {
    await runtime.close()
  }
}

async function main(argv: string[], io: CliIo): Promise<void> {
  const say = (line: string) => io.stdout(`${line}\n`)
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      org: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      locale: { type: 'string' },
      timezone: { type: 'string' },
      'expires-in-days': { type: 'string' },
      file: { type: 'string' },
      'max-duration-seconds': { type: 'string' },
      'require-signed-urls': { type: 'boolean' },
      at: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const [command, sub, ...rest] = positionals
  if (values.help || !command) {
    say(usage)
    if (!command && !values.help) throw new UsageError('no command given')
    return
  }

  if (command === 'migrate') {
    const database = openDatabase(loadConfig(io.env), { statementTimeoutMs: 0 })
    try {
      const applied = await migrateToLatest(database.db)
      say(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date')
    } finally {
      await database.close()
    }
    return
  }

  if (command === 'seed-demo') {
    await withRuntime(io, async (runtime) => {
      const { created } = await seedDemo(runtime)
      say(
        created ? `demo school "${DEMO_ORG.name}" created` : `demo school "${DEMO_ORG.slug}" already exists`,
      )
      for (const a of demoAccounts) say(`  ${a.role.padEnd(10)} ${a.email}  password: ${DEMO_PASSWORD}`)
    })
    return
  }

  if (command === 'org' && sub === 'create') {
    const slug = required(rest[0], '<slug>')
    const name = required(values.name, '--name')
    const input = identity.CreateOrganisationBody.safeParse({
      slug,
      name,
      default_locale: values.locale,
      timezone: values.timezone,
    })
    if (!input.success) {
      throw new UsageError(input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
    }
    await withRuntime(io, async (runtime) => {
      const org = await identity.createOrganisation(runtime.identity, input.data)
      say(`organisation "${org.name}" created (slug ${org.slug}, id ${org.id})`)
    })
    return
  }

  if (command === 'user' && sub === 'create') {
    const slug = required(values.org, '--org')
    const email = required(values.email, '--email').toLowerCase()
    if (!identity.looksLikeEmail(email)) throw new UsageError(`--email "${email}" is not an e-mail address`)
    const role = oneOf(required(values.role, '--role'), identity.roles, '--role')
    await withRuntime(io, async (runtime) => {
      const org = await identity.findOrganisationBySlug(runtime.identity, slug)
      if (!values.password) {
        const invitation = await identity.inviteMember(runtime.identity, org.id, 'cli', null, {
          email,
          role,
          expires_in_days: 7,
        })
        say(`invitation for ${email} as ${role} in ${org.slug}, valid until ${invitation.expires_at}:`)
        say(invitation.url)
        return
      }
      const { member, accountCreated } = await identity.addMember(runtime.identity, org.id, 'cli', {
        email,
        name: values.name ?? email.split('@')[0] ?? email,
        role,
        password: values.password,
      })
      say(
        `${member.email} is now ${member.role} in ${org.slug}${accountCreated ? ' (account created)' : ' (existing account)'}`,
      )
    })
    return
  }

  if (command === 'token' && sub === 'create') {
    const slug = required(values.org, '--org')
    const email = required(values.email, '--email')
    const days = values['expires-in-days']
    const expiresInDays = days === undefined ? undefined : Number(days)
    if (expiresInDays !== undefined && !(Number.isInteger(expiresInDays) && expiresInDays > 0)) {
      throw new UsageError('--expires-in-days must be a positive whole number')
    }
    await withRuntime(io, async (runtime) => {
      const org = await identity.findOrganisationBySlug(runtime.identity, slug)
      const userId = await identity.memberUserId(runtime.identity, org.id, email)
      const created = await identity.createApiToken(runtime.identity, org.id, userId, {
        name: values.name ?? 'CLI token',
        expires_in_days: expiresInDays,
      })
      say(`API token "${created.name}" for ${email} in ${org.slug} (shown once):`)
      say(created.token)
    })
    return
  }

  if (command === 'superadmin' && (sub === 'grant' || sub === 'revoke')) {
    const email = required(values.email, '--email').toLowerCase()
    await withRuntime(io, async (runtime) => {
      await identity.setSuperadmin(runtime.identity, email, sub === 'grant')
      say(
        sub === 'grant'
          ? `${email} is now a platform administrator`
          : `${email} is no longer a platform administrator`,
      )
    })
    return
  }

  if (command === 'projections' && (sub === 'status' || sub === 'reconcile' || sub === 'rebuild')) {
    await withRuntime(io, async (runtime) => {
      const chosen = rest[0] ? runtime.projectors.filter((p) => p.name === rest[0]) : runtime.projectors
      if (chosen.length === 0) {
        throw new CommandError(
          `no projection named ${rest[0]} (known: ${runtime.projectors.map((p) => p.name).join(', ')})`,
        )
      }
      if (sub === 'reconcile') {
        const runs = await runtime.project()
        for (const run of runs) {
          say(
            `${run.name}: ${run.processed} event(s) applied${run.failed ? `, FAILED at ${run.failed.seq}: ${run.failed.error}` : ''}`,
          )
        }
        if (runs.some((r) => r.failed)) throw new CommandError('a projection failed; see above')
      }
      if (sub === 'rebuild') {
        for (const projector of chosen) {
          const started = performance.now()
          const run = await rebuildProjection(runtime.database.db, trackingEvents, projector, systemClock)
          if (run.failed)
            throw new CommandError(
              `${projector.name}: rebuild failed at ${run.failed.seq}: ${run.failed.error}`,
            )
          const seconds = (performance.now() - started) / 1000
          say(
            `${projector.name}: rebuilt from ${run.processed} ${projector.reads === 'signals' ? 'signal' : 'event'}(s) in ${seconds.toFixed(1)} s`,
          )
        }
      }
      for (const status of await projectionStatus(runtime.database.db, chosen)) {
        const failure = status.error
          ? `, failing (${status.attempts} attempt(s)) since ${status.failed_at}: ${status.error}`
          : ''
        say(`${status.name}: at ${status.checkpoint}, lag ${status.lag}${failure}`)
      }
    })
    return
  }

  if (command === 'jobs' && sub === 'list') {
    await withRuntime(io, async (runtime) => {
      for (const job of await listJobs(runtime.database.db, runtime.jobs)) {
        say(`${job.name}  ${job.schedule}  ${describeLastRun(job.lastRun)}`)
        if (job.description) say(`  ${job.description}`)
      }
    })
    return
  }

  if (command === 'jobs' && sub === 'run') {
    const name = required(rest[0], '<name>')
    const at = values.at === undefined ? new Date() : new Date(values.at)
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at "${values.at}" is not an ISO 8601 date`)
    await withRuntime(io, async (runtime) => {
      const job = runtime.jobs.find(name)
      if (!job) {
        const known = runtime.jobs
          .list()
          .map((j) => j.name)
          .join(', ')
        throw new CommandError(`no job named ${name} (known: ${known})`)
      }
      if (!isScheduled(job))
        throw new CommandError(`${name} is a queued job: it runs when the app enqueues it`)
      if (values.org && job.schedule.timezone !== ORGANISATION_TIMEZONE) {
        throw new CommandError(`${name} runs once for all organisations: --org does not apply`)
      }
      const orgId = values.org
        ? (await identity.findOrganisationBySlug(runtime.identity, values.org)).id
        : undefined
      const deps = {
        db: runtime.database.db,
        clock: systemClock,
        logger: runtime.logger,
        registry: runtime.jobs,
      }
      const runs = await runJobByHand(deps, job, at, orgId)
      if (runs.length === 0) say(`${name}: no period contains ${at.toISOString()}`)
      for (const { occurrence, result } of runs) say(describeRun(name, occurrence, result))
      if (runs.some((r) => r.result.outcome === 'failed'))
        throw new CommandError('a job run failed; see above')
    })
    return
  }

  if (command === 'course' && sub === 'export') {
    const courseId = required(rest[0], '<course-id>')
    await withRuntime(io, async (runtime) => {
      const orgId = await catalog.organisationOfCourse(runtime.catalog, courseId)
      say(JSON.stringify(await catalog.exportCourse(runtime.catalog, orgId, courseId), null, 2))
    })
    return
  }

  if (command === 'course' && sub === 'import') {
    const file = required(rest[0], '<file>')
    const slug = required(values.org, '--org')
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      throw new CommandError(`cannot read ${file}: ${(err as Error).message}`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      throw new CommandError(`${file} is not JSON: ${(err as Error).message}`)
    }
    const document = catalog.CourseDocumentSchema.safeParse(parsed)
    if (!document.success) {
      const problems = document.error.issues.map((i) => `${i.path.join('.') || 'document'}: ${i.message}`)
      throw new CommandError(`${file} is not a Sillon course document: ${problems.join('; ')}`)
    }
    await withRuntime(io, async (runtime) => {
      const org = await identity.findOrganisationBySlug(runtime.identity, slug)
      const courseId = await catalog.importIntoOrganisation(
        runtime.catalog,
        org.id,
        null,
        null,
        document.data,
      )
      say(`course "${document.data.course.name}" imported as a draft in ${org.slug}:`)
      say(courseId)
    })
    return
  }

  if (command === 'backup' || command === 'restore') {
    await runBackupCommand(command, required(sub, '<file>'), io.env, say)
    return
  }

  if (command === 'school' && (sub === 'export' || sub === 'import')) {
    const args =
      sub === 'export'
        ? { command: 'export' as const, slug: required(rest[0], '<slug>'), file: required(rest[1], '<file>') }
        : { command: 'import' as const, file: required(rest[0], '<file>') }
    await withRuntime(io, (runtime) => runSchoolCommand(runtime, args, say))
    return
  }

  if (command === 'privacy' && sub === 'erase') {
    const [slug, email] = [required(values.org, '--org'), required(values.email, '--email')]
    await withRuntime(io, async (runtime) => {
      const { account_deleted } = await erasePersonByEmail(runtime.privacy, slug, email)
      const account = account_deleted ? 'deleted' : 'kept (another school has it)'
      say(`${email} erased from ${slug}; account ${account}`)
    })
    return
  }

  if (command === 'stream' && sub === 'upload') {
    const file = required(values.file, '--file')
    const name = required(values.name, '--name')
    const given = values['max-duration-seconds']
    const maxDurationSeconds = given === undefined ? undefined : Number(given)
    if (
      maxDurationSeconds !== undefined &&
      !(Number.isInteger(maxDurationSeconds) && maxDurationSeconds > 0)
    ) {
      throw new UsageError('--max-duration-seconds must be a positive whole number')
    }
    // No database here: only the Cloudflare settings matter, but the whole environment is still checked.
    const config = loadConfig(io.env)
    if (!config.CLOUDFLARE_ACCOUNT_ID || !config.CLOUDFLARE_STREAM_API_TOKEN) {
      throw new CommandError(
        'stream upload needs CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_STREAM_API_TOKEN (an API token with Stream Edit)',
      )
    }
    const video = await catalog.uploadToStream(
      {
        accountId: config.CLOUDFLARE_ACCOUNT_ID,
        apiToken: config.CLOUDFLARE_STREAM_API_TOKEN,
        baseUrl: config.CLOUDFLARE_API_BASE_URL,
      },
      { file, name, maxDurationSeconds, requireSignedUrls: values['require-signed-urls'] },
      say,
    )
    const state = video.readyToStream ? 'ready to stream' : `processing (${video.state ?? 'state unknown'})`
    say(`uploaded: ${state}${video.requireSignedUrls ? ', plays with signed tokens only' : ''}`)
    if (video.durationSec !== null) say(`duration: ${video.durationSec} s`)
    say(video.uid)
    return
  }

  throw new UsageError(`unknown command "${[command, sub].filter(Boolean).join(' ')}"`)
}

/**
 * Runs `sillon <argv>` and resolves with its exit code: 0, 1 when the command cannot run as asked (the
 * reason on stderr), 2 for a usage error (the reason and the usage). Anything else is a bug and is thrown.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await main(argv, io)
    return 0
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`sillon: ${err.message}\n\n${usage}\n`)
      return 2
    }
    if (
      err instanceof ConfigError ||
      err instanceof AppError ||
      err instanceof CommandError ||
      err instanceof catalog.StreamError ||
      err instanceof BackupError ||
      err instanceof SchoolTransferError
    ) {
      io.stderr(`sillon: ${err.message}\n`)
      return 1
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`sillon: ${err.message}\n\n${usage}\n`)
      return 2
    }
    throw err
  }
}

/** The process's own environment and output, for bin/sillon.js. */
export const processIo: CliIo = {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}
