import { Cron } from 'croner'
import { ORGANISATION_TIMEZONE, type Schedule } from './job.ts'

// Cron arithmetic (croner): which occurrence a given instant belongs to, and when the next one is.
// Day-of-month and day-of-week combine with OR, as in Vixie cron (croner's default).

const patterns = new Map<string, Cron>()

function pattern(cron: string, timezone: string): Cron {
  const key = `${timezone} ${cron}`
  let found = patterns.get(key)
  if (!found) {
    // paused: croner is used for its arithmetic only; the runners keep time with the injected clock.
    found = new Cron(cron, { timezone, paused: true, mode: '5-or-6-parts' })
    patterns.set(key, found)
  }
  return found
}

/** Throws a readable error when the cron expression or the time zone is not valid. */
export function assertValidSchedule(name: string, schedule: Schedule): void {
  const zone = schedule.timezone === ORGANISATION_TIMEZONE ? 'UTC' : (schedule.timezone ?? 'UTC')
  try {
    pattern(schedule.cron, zone).nextRun(new Date(0))
  } catch (err) {
    throw new Error(`job ${name}: invalid schedule "${schedule.cron}" in ${zone}: ${(err as Error).message}`)
  }
}

/**
 * The occurrence that opens the period containing `at`: the last cron time at or before it, or null when
 * the expression never matched before. Its ISO form is the period key of scheduled runs.
 */
export function occurrenceAtOrBefore(cron: string, timezone: string, at: Date): Date | null {
  // croner looks strictly before its reference; occurrences are whole seconds, so 1 ms later includes `at`.
  return pattern(cron, timezone).previousRuns(1, new Date(at.getTime() + 1))[0] ?? null
}

/** The first cron time strictly after `after`, or null when there is none. */
export function nextOccurrence(cron: string, timezone: string, after: Date): Date | null {
  return pattern(cron, timezone).nextRun(after)
}

/** `0 0 * * *` in UTC, or in each organisation's time zone. */
export function describeSchedule(schedule: Schedule): string {
  const zone =
    schedule.timezone === ORGANISATION_TIMEZONE
      ? "each organisation's time zone"
      : (schedule.timezone ?? 'UTC')
  return `${schedule.cron} (${zone})`
}
