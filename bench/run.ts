import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { App } from '../src/app.ts'
import { systemClock } from '../src/core/clock.ts'
import type { Db, DbHandle } from '../src/core/db/database.ts'
import { migrateToLatest } from '../src/core/db/migrate.ts'
import { rebuildProjection } from '../src/core/events/projector.ts'
import { randomSecret } from '../src/core/ids.ts'
import * as progress from '../src/modules/progress/index.ts'
import * as tracking from '../src/modules/tracking/index.ts'
import { adminQuery, postgresReachable, TEST_DATABASE_URL } from '../test/helpers/database-templates.ts'
import { sqliteAppendCeiling } from './ceiling.ts'
import { otherCpuDuring, type Pinning, pinProcess, planPinning } from './cpu.ts'
import {
  type LeaderboardSchool,
  leaderboardCheck,
  leaderboardScenarios,
  seedLeaderboardSchool,
  signedInReference,
} from './leaderboard.ts'
import { type BenchServer, fireRequests, type LoadResult, startBenchServer } from './load.ts'
import { type PingRequest, pingTraffic } from './pings.ts'
import { printRealtime, realtimeBench } from './realtime.ts'
import { seedBenchSchool } from './seed.ts'
import { type BenchTarget, buildBenchApp, openTarget } from './target.ts'

// `npm run bench`: VIDEO_PING ingest against a bare Hono baseline, and the leaderboards of a large school
// against a small one's, on SQLite and (when reachable) PostgreSQL, all in one run so the ratios compare
// numbers taken on the same machine at the same time.

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20)
const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 100)
/** Students of the leaderboard school; 0 skips the leaderboard. */
const LEADERBOARD_STUDENTS = Number(process.env.BENCH_LEADERBOARD_STUDENTS ?? 100_000)
/** Students of the small school whose boards the large one's are compared with. */
const SMALL_SCHOOL_STUDENTS = 1_000
const BATCH_SIZE = 50
// Ten hours: nobody completes the step during the run, so gating keeps accepting the pings.
const VIDEO_SEC = 36_000
const PG_URL = TEST_DATABASE_URL

const TARGETS = {
  single: 0.6,
  batch: 5,
  rebuild: 10,
  // Every leaderboard read of a 100,000-student school, first page or deep, all time or this week, at 80 %
  // or more of the rate of the same read in a 1,000-student school: boards cost the same whatever the size.
  leaderboard: 0.8,
}

type Row = {
  dialect: string
  scenario: string
  reqPerSec: number | null
  eventsPerSec: number | null
  p50Ms: number | null
  p99Ms: number | null
  /** Cores kept busy by other processes while measuring (PostgreSQL's included). */
  otherCores: number | null
  note: string
}

type DialectResult = {
  dialect: string
  single: Row
  batch: Row
  rebuild: Row
  /** Raw appends without the app: what storage alone allows (SQLite only). */
  ceilings: Row[]
  checks: string[]
  /** Reads of the large school's boards, then the same of the small school's; empty when skipped. */
  leaderboard: { scenario: string; large: Row; small: Row }[]
  /** The cheapest signed-in read, to read the boards' figures against; null when skipped. */
  leaderboardReference: Row | null
  leaderboardNotes: string[]
}

const running = new Set<BenchServer>()
const pinning: Pinning = planPinning()

function log(line: string) {
  process.stderr.write(`  … ${line}\n`)
}

async function withServer<T>(env: Record<string, string>, task: (server: BenchServer) => Promise<T>) {
  const server = await startBenchServer(env, pinning.server)
  running.add(server)
  try {
    return await task(server)
  } finally {
    await server.stop()
    running.delete(server)
  }
}

function describeFailures(result: LoadResult): string {
  const entries = Object.entries(result.failures)
  if (entries.length === 0) return ''
  const counts = entries.map(([code, count]) => `${count}× ${code}`).join(', ')
  return result.firstFailure ? `${counts} (first: ${result.firstFailure})` : counts
}

/** A warm-up run (discarded), then the measured one, watching what else used the CPU meanwhile. */
async function measure(server: BenchServer, next: () => PingRequest, acceptedIn?: (body: string) => number) {
  const options = { url: server.url, connections: CONNECTIONS, next, ...(acceptedIn ? { acceptedIn } : {}) }
  if (WARMUP_SECONDS > 0) await fireRequests({ ...options, seconds: WARMUP_SECONDS })
  return otherCpuDuring([process.pid, server.pid], () => fireRequests({ ...options, seconds: SECONDS }))
}

function rowOf(
  dialect: string,
  scenario: string,
  { result, otherCores }: { result: LoadResult; otherCores: number | null },
): Row {
  // autocannon reports latencies of 0 when no answer came back at all.
  const answered = result.requests > 0
  return {
    dialect,
    scenario,
    reqPerSec: result.ok / result.seconds,
    eventsPerSec: result.accepted / result.seconds,
    p50Ms: answered ? result.p50Ms : null,
    p99Ms: answered ? result.p99Ms : null,
    otherCores,
    note: answered ? describeFailures(result) : `no answer within ${SECONDS} s`,
  }
}

/** Two measurements of the same scenario as one row: their means. */
function meanOf(a: Row, b: Row): Row {
  const mean = (x: number | null, y: number | null) => (x === null || y === null ? null : (x + y) / 2)
  return {
    ...a,
    reqPerSec: mean(a.reqPerSec, b.reqPerSec),
    eventsPerSec: mean(a.eventsPerSec, b.eventsPerSec),
    p50Ms: mean(a.p50Ms, b.p50Ms),
    p99Ms: mean(a.p99Ms, b.p99Ms),
    otherCores: mean(a.otherCores, b.otherCores),
    note: [a.note, b.note].filter(Boolean).join('; ') || 'mean of 2 runs',
  }
}

async function measureBaseline(): Promise<Row> {
  log('baseline: bare Hono endpoint')
  // Same bodies and headers as the real ingest, so the load generator does the same work.
  const tokens = Array.from({ length: STUDENTS }, () => `sil_${randomSecret()}`)
  const traffic = pingTraffic(tokens, crypto.randomUUID(), VIDEO_SEC)
  const measured = await withServer({ BENCH_SERVER: 'baseline' }, (server) => measure(server, traffic.single))
  return rowOf('-', 'baseline (bare Hono, 204)', measured)
}

/** Each ping of the answer the server accepted (stored), as opposed to refused or duplicate. */
const acceptedPings = (body: string) => body.split('"status":"accepted"').length - 1

async function measureIngest(
  server: BenchServer,
  dialect: string,
  scenario: string,
  next: () => PingRequest,
) {
  log(`${dialect}: ${scenario}`)
  return rowOf(dialect, scenario, await measure(server, next, acceptedPings))
}

async function measureRebuild(db: Db, dialect: string): Promise<Row> {
  log(`${dialect}: rebuilding user_progress`)
  const started = performance.now()
  const { result: run, otherCores } = await otherCpuDuring([process.pid], () =>
    rebuildProjection(db, tracking.trackingEvents, progress.userProgressProjector, systemClock),
  )
  const seconds = (performance.now() - started) / 1000
  return {
    dialect,
    scenario: 'rebuild user_progress',
    reqPerSec: null,
    eventsPerSec: run.processed / seconds,
    p50Ms: null,
    p99Ms: null,
    otherCores,
    note: `${run.processed} events in ${seconds.toFixed(2)} s${run.failed ? `; FAILED at ${run.failed.seq}: ${run.failed.error}` : ''}`,
  }
}

/** Raw SQLite appends on the server's core, with the event ids a client sends (random) and time-ordered ones. */
function measureCeilings(dataDir: string): Row[] {
  pinProcess(process.pid, pinning.server)
  try {
    return (['random', 'ordered'] as const).map((ids) => {
      log(`sqlite: raw appends of ${BATCH_SIZE} rows per commit, ${ids} ids`)
      const ceiling = sqliteAppendCeiling(dataDir, SECONDS, BATCH_SIZE, ids)
      return {
        dialect: 'sqlite',
        scenario: `raw append, ${ids} ids`,
        reqPerSec: null,
        eventsPerSec: ceiling.eventsPerSec,
        p50Ms: null,
        p99Ms: null,
        otherCores: null,
        note: `${ceiling.note}; no HTTP, no app`,
      }
    })
  } finally {
    pinProcess(process.pid, pinning.load)
  }
}

/** Whether the pings were taken as real watching: credited, and not flagged as skips. */
async function creditCheck(db: Db): Promise<string> {
  const row = await db
    .selectFrom('v_user_progress')
    .select((eb) => [
      eb.fn.countAll().as('students'),
      eb.fn.sum('skip_attempts').as('skips'),
      eb.fn.max('video_max_position_sec').as('furthest'),
    ])
    .executeTakeFirstOrThrow()
  return `${row.students} students with progress, furthest credited position ${Number(row.furthest ?? 0).toFixed(1)} s, ${Number(row.skips ?? 0)} pings flagged as skips`
}

/** Seeds the schools once the ingest is measured (not to weigh on it), then reads their boards. */
async function measureLeaderboard(target: BenchTarget, app: App, database: DbHandle) {
  const { dialect } = target
  pinProcess(process.pid, pinning.all)
  log(`${dialect}: seeding schools of ${LEADERBOARD_STUDENTS} and ${SMALL_SCHOOL_STUDENTS} students`)
  const large = await seedLeaderboardSchool(app, database, LEADERBOARD_STUDENTS, 'large')
  const small = await seedLeaderboardSchool(app, database, SMALL_SCHOOL_STUDENTS, 'small')
  pinProcess(process.pid, pinning.load)
  const env = { BENCH_SERVER: 'app', BENCH_TARGET: JSON.stringify(target) }
  // A server each: a slow scenario leaves requests running once its load stops, and they must not weigh
  // on the next one. Each board is read in both schools in turn, so that drift hits both alike.
  const read = async (
    school: LeaderboardSchool,
    { scenario, next }: { scenario: string; next: () => PingRequest },
  ) => {
    const name = `${scenario}, ${school.students.toLocaleString('en-US')} students`
    log(`${dialect}: ${name}`)
    const measured = await withServer(env, (server) => measure(server, next))
    return { ...rowOf(dialect, name, measured), eventsPerSec: null }
  }
  const reference = await read(large, signedInReference(large))
  const smallScenarios = leaderboardScenarios(small)
  const rows: DialectResult['leaderboard'] = []
  for (const [i, scenario] of leaderboardScenarios(large).entries()) {
    const other = smallScenarios[i] ?? scenario
    // Large, small, small, large: a drift of the machine during the four weighs on both schools alike.
    const first = await read(large, scenario)
    const [second, third] = [await read(small, other), await read(small, other)]
    rows.push({
      scenario: scenario.scenario,
      large: meanOf(first, await read(large, scenario)),
      small: meanOf(second, third),
    })
  }
  const seeded = (school: LeaderboardSchool) =>
    `seeded ${school.students} students, ${school.ledgerEntries} XP entries, ${school.badges} badges ` +
    `in ${school.seedSeconds.toFixed(1)} s`
  return {
    reference,
    rows,
    notes: [seeded(large), seeded(small), await leaderboardCheck(app, database, large)],
  }
}

async function measureDialect(target: BenchTarget): Promise<DialectResult> {
  const { dialect } = target
  const database = openTarget(target)
  try {
    pinProcess(process.pid, pinning.all)
    log(`${dialect}: migrating and seeding ${STUDENTS} students with API tokens`)
    await migrateToLatest(database.db)
    const app = buildBenchApp(target, database)
    const school = await seedBenchSchool(app, STUDENTS, VIDEO_SEC)
    pinProcess(process.pid, pinning.load)
    const traffic = pingTraffic(school.tokens, school.classId, VIDEO_SEC)
    const env = { BENCH_SERVER: 'app', BENCH_TARGET: JSON.stringify(target) }
    const [single, batch] = await withServer(env, async (server) => [
      await measureIngest(server, dialect, 'single ping', traffic.single),
      await measureIngest(server, dialect, `batch of ${BATCH_SIZE}`, () => traffic.batch(BATCH_SIZE)),
    ])
    const rebuild = await measureRebuild(database.db, dialect)
    const checks = [await creditCheck(database.db)]
    const ceilings = dialect === 'sqlite' ? measureCeilings(target.dataDir) : []
    const leaderboard =
      LEADERBOARD_STUDENTS > 0
        ? await measureLeaderboard(target, app, database)
        : { reference: null, rows: [], notes: [] }
    return {
      dialect,
      single,
      batch,
      rebuild,
      ceilings,
      checks,
      leaderboard: leaderboard.rows,
      leaderboardReference: leaderboard.reference,
      leaderboardNotes: leaderboard.notes,
    }
  } finally {
    await database.close()
  }
}

/** Runs on a fresh DATA_DIR (and, for PostgreSQL, a fresh schema), removed afterwards whatever happens. */
async function onFreshTarget(dialect: 'sqlite' | 'postgres'): Promise<DialectResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sillon-bench-'))
  const schema = `bench_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
  try {
    if (dialect === 'sqlite') return await measureDialect({ dialect, dataDir })
    await adminQuery(`create schema ${schema}`)
    return await measureDialect({ dialect, dataDir, url: PG_URL, schema })
  } finally {
    if (dialect === 'postgres') await adminQuery(`drop schema if exists ${schema} cascade`)
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const fmt = (value: number | null, digits = 0) =>
  value === null
    ? '-'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

// autocannon measures latency in whole milliseconds.
const latency = (ms: number | null) => (ms === 0 ? '<1' : fmt(ms))

function printTable(rows: Row[]) {
  const header = ['dialect', 'scenario', 'req/s', 'events/s', 'p50 ms', 'p99 ms', 'other CPU', 'notes']
  const cells = rows.map((r) => [
    r.dialect,
    r.scenario,
    fmt(r.reqPerSec),
    fmt(r.eventsPerSec),
    latency(r.p50Ms),
    latency(r.p99Ms),
    r.otherCores === null ? '-' : `${fmt(r.otherCores, 2)} cores`,
    r.note,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)))
  const line = (c: string[]) =>
    c
      .map((cell, i) => (i >= 2 && i <= 6 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  console.log(line(header))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const c of cells) console.log(line(c))
}

function printTargets(baseline: Row, results: DialectResult[]) {
  // NaN when the reference measured nothing: never PASS on a failed run.
  const ratio = (value: number | null, reference: number | null) =>
    reference ? (value ?? 0) / reference : Number.NaN
  const base = baseline.reqPerSec
  // A null target marks a reference line: what storage alone allows, to read the batch target against.
  const lines: [string, string, number, number | null][] = []
  for (const r of results) {
    const live = r.single.eventsPerSec
    lines.push([
      r.dialect,
      'single-ping req/s ÷ baseline req/s',
      ratio(r.single.reqPerSec, base),
      TARGETS.single,
    ])
    lines.push([
      r.dialect,
      'batch events/s ÷ baseline req/s',
      ratio(r.batch.eventsPerSec, base),
      TARGETS.batch,
    ])
    lines.push([
      r.dialect,
      'rebuild events/s ÷ live single-ping events/s',
      ratio(r.rebuild.eventsPerSec, live),
      TARGETS.rebuild,
    ])
  }
  const sizes = `${LEADERBOARD_STUDENTS.toLocaleString('en-US')} ÷ ${SMALL_SCHOOL_STUDENTS.toLocaleString('en-US')} students`
  for (const { scenario, large, small } of results.flatMap((r) => r.leaderboard)) {
    lines.push([
      large.dialect,
      `board ${scenario} req/s, ${sizes}`,
      ratio(large.reqPerSec, small.reqPerSec),
      TARGETS.leaderboard,
    ])
  }
  for (const ceiling of results.flatMap((r) => r.ceilings)) {
    lines.push([
      ceiling.dialect,
      `${ceiling.scenario} events/s ÷ baseline req/s`,
      ratio(ceiling.eventsPerSec, base),
      null,
    ])
  }
  const width = Math.max(...lines.map(([, what]) => what.length))
  for (const [dialect, what, value, target] of lines) {
    const verdict = target === null ? '' : value >= target ? 'PASS' : 'BELOW'
    const against = target === null ? '(storage ceiling, no target)' : `(target ≥ ${target})`
    const shown = Number.isNaN(value) ? 'n/a' : value.toFixed(value < 1 ? 3 : 2)
    console.log(
      `${dialect.padEnd(8)}  ${what.padEnd(width)}  ${shown.padStart(6)}  ${against}  ${verdict}`.trimEnd(),
    )
  }
}

async function main() {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU'
  console.log(`Sillon VIDEO_PING ingest and leaderboard benchmark — Node ${process.version}, ${cpu}`)
  console.log(pinning.note)
  console.log(
    `${SECONDS} s per scenario after ${WARMUP_SECONDS} s of warm-up, ${CONNECTIONS} connections, ` +
      `${STUDENTS} students (own API tokens), batches of ${BATCH_SIZE}, ${VIDEO_SEC} s video; ` +
      (LEADERBOARD_STUDENTS > 0
        ? `leaderboards of schools of ${LEADERBOARD_STUDENTS} and ${SMALL_SCHOOL_STUDENTS} students ` +
          '(written to the tables), pages of 50'
        : 'leaderboard skipped (BENCH_LEADERBOARD_STUDENTS=0)'),
  )
  const dialects: ('sqlite' | 'postgres')[] = ['sqlite']
  if (await postgresReachable()) {
    dialects.push('postgres')
    console.log(
      `PostgreSQL at ${PG_URL}, fresh schema; its own processes are not pinned and share every core.`,
    )
  } else console.log(`PostgreSQL is not reachable at ${PG_URL}: SQLite only.`)
  console.log('The rebuild runs in the bench process once the server has stopped.')
  console.log(
    '"other CPU": cores busy outside the server and the bench while measuring (PostgreSQL, other work).\n',
  )
  pinProcess(process.pid, pinning.load)
  const baseline = await measureBaseline()
  const results: DialectResult[] = []
  for (const dialect of dialects) results.push(await onFreshTarget(dialect))
  // Real-time fan-out (bench/realtime.ts): its own rows and targets, printed after the others.
  const realtime = await realtimeBench(pinning)

  console.log('')
  printTable([
    baseline,
    ...results.flatMap((r) => [
      r.single,
      r.batch,
      r.rebuild,
      ...r.ceilings,
      ...(r.leaderboardReference ? [r.leaderboardReference] : []),
      ...r.leaderboard.flatMap(({ large, small }) => [large, small]),
    ]),
  ])
  console.log('\nTargets')
  printTargets(baseline, results)
  printRealtime(realtime)
  console.log('\nCredit check (after the rebuild)')
  for (const r of results) for (const check of r.checks) console.log(`${r.dialect.padEnd(8)}  ${check}`)
  if (LEADERBOARD_STUDENTS === 0) return
  console.log('\nLeaderboard school')
  for (const r of results)
    for (const note of r.leaderboardNotes) console.log(`${r.dialect.padEnd(8)}  ${note}`)
}

async function stopServers() {
  await Promise.all([...running].map((server) => server.stop()))
}

process.on('SIGINT', () => {
  void stopServers().finally(() => process.exit(130))
})

try {
  await main()
} catch (err) {
  await stopServers()
  console.error(err)
  process.exitCode = 1
}
