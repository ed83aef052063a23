import type { Logger } from 'pino'
import type { Clock } from '../clock.ts'
import type { JobOccurrence } from './execute.ts'
import { isScheduled, ORGANISATION_TIMEZONE, type OrganisationZone, type ScheduledJob } from './job.ts'
import type { JobRegistry } from './registry.ts'
import { nextOccurrence, occurrenceAtOrBefore } from './schedule.ts'

/** Where a scheduled job runs: one zone for a global job, one per organisation for a per-organisation job. */
function targetsOf(job: ScheduledJob, organisations: OrganisationZone[]) {
  if (job.schedule.timezone !== ORGANISATION_TIMEZONE) {
    return [{ timezone: job.schedule.timezone ?? 'UTC', orgId: null }]
  }
  return organisations.map((org) => ({ timezone: org.timezone, orgId: org.id as string | null }))
}

/**
 * The runs of a scheduled job for the period that contains `at`: one, or one per organisation (each in its
 * own time zone). An organisation whose time zone croner does not know is left out and logged.
 */
export function occurrencesAt(
  job: ScheduledJob,
  organisations: OrganisationZone[],
  at: Date,
  logger?: Logger,
): JobOccurrence[] {
  const found: JobOccurrence[] = []
  for (const { timezone, orgId } of targetsOf(job, organisations)) {
    let scheduledAt: Date | null
    try {
      scheduledAt = occurrenceAtOrBefore(job.schedule.cron, timezone, at)
    } catch (err) {
      logger?.error({ job: job.name, org: orgId, timezone, err }, 'cannot place the job in this time zone')
      continue
    }
    if (scheduledAt) found.push({ period: scheduledAt.toISOString(), scheduledAt, orgId, timezone })
  }
  return found
}

export type SchedulerOptions = {
  registry: JobRegistry
  clock: Clock
  logger: Logger
  /** Starts the run (in process, or by sending it to the queue); should not wait for the job to end. */
  dispatch(job: ScheduledJob, occurrence: JobOccurrence): Promise<void>
  /** Longest sleep between two looks at the clock, which also picks up new organisations (default 60 s). */
  maxSleepMs?: number
}

/**
 * Wakes at each cron time (read on the injected clock) and dispatches the occurrences that fell since its
 * last look. Occurrences missed while no scheduler ran are not caught up: a job that must account for every
 * day works from its period and closes what it finds open.
 */
export function createScheduler(options: SchedulerOptions) {
  const { clock, logger, registry } = options
  const maxSleepMs = options.maxSleepMs ?? 60_000
  const jobs = registry.list().filter(isScheduled)
  const perOrganisation = jobs.some((job) => job.schedule.timezone === ORGANISATION_TIMEZONE)
  let since = clock.now()
  let organisations: OrganisationZone[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false
  let ticking: Promise<void> = Promise.resolve()

  async function refreshOrganisations() {
    if (perOrganisation) organisations = await registry.organisations()
  }

  /** Dispatches every occurrence in (last look, now]: the latest one per job and organisation. */
  async function tick(): Promise<void> {
    const now = clock.now()
    if (now.getTime() <= since.getTime()) return
    await refreshOrganisations()
    for (const job of jobs) {
      for (const occurrence of occurrencesAt(job, organisations, now, logger)) {
        if (occurrence.scheduledAt.getTime() <= since.getTime()) continue
        try {
          await options.dispatch(job, occurrence)
        } catch (err) {
          logger.error({ job: job.name, period: occurrence.period, err }, 'could not start a job run')
        }
      }
    }
    since = now
  }

  function nextWake(now: Date): number {
    let next = now.getTime() + maxSleepMs
    const zones = new Set(organisations.map((org) => org.timezone))
    for (const job of jobs) {
      const timezones =
        job.schedule.timezone === ORGANISATION_TIMEZONE ? zones : [job.schedule.timezone ?? 'UTC']
      for (const timezone of timezones) {
        try {
          const at = nextOccurrence(job.schedule.cron, timezone, now)
          if (at && at.getTime() < next) next = at.getTime()
        } catch {
          // Logged by occurrencesAt when its time comes.
        }
      }
    }
    return next
  }

  /** One look at a time, whether the timer or a caller asks. */
  function serialisedTick(): Promise<void> {
    const next = ticking.then(tick)
    ticking = next.catch(() => undefined)
    return next
  }

  function plan() {
    if (!running) return
    const now = clock.now()
    const delay = Math.max(0, nextWake(now) - now.getTime())
    timer = setTimeout(() => {
      serialisedTick()
        .catch((err: unknown) => logger.error({ err }, 'job scheduler tick failed'))
        .finally(plan)
    }, delay)
    timer.unref?.()
  }

  return {
    tick: serialisedTick,
    async start() {
      if (running) return
      running = true
      since = clock.now()
      await refreshOrganisations().catch((err: unknown) =>
        logger.error({ err }, 'cannot list organisations for per-organisation jobs'),
      )
      plan()
    },
    async stop() {
      running = false
      clearTimeout(timer)
      await ticking
    },
  }
}
