import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fixedClock, systemClock } from '../clock.ts'
import type { JobOccurrence } from './execute.ts'
import type { ScheduledJob } from './job.ts'
import { createJobRegistry } from './registry.ts'
import { describeSchedule, nextOccurrence, occurrenceAtOrBefore } from './schedule.ts'
import { createScheduler } from './scheduler.ts'

const silent = pino({ level: 'silent' })

function job(name: string, cron: string, timezone?: string): ScheduledJob {
  return { name, schedule: { cron, timezone }, run: async () => undefined }
}

describe('cron periods', () => {
  it('places an instant in the period opened by the last cron time at or before it', () => {
    const at = (iso: string) => occurrenceAtOrBefore('0 0 * * *', 'UTC', new Date(iso))?.toISOString()
    expect(at('2026-11-23T00:00:00.000Z')).toBe('2026-11-23T00:00:00.000Z')
    expect(at('2026-11-23T17:45:12.345Z')).toBe('2026-11-23T00:00:00.000Z')
    expect(at('2026-11-22T23:59:59.999Z')).toBe('2026-11-22T00:00:00.000Z')
  })

  it("reads the expression in the schedule's time zone, across a daylight saving change", () => {
    // Paris is UTC+1 in winter, UTC+2 in summer; New York UTC-5 in winter.
    expect(occurrenceAtOrBefore('0 0 * * *', 'Europe/Paris', new Date('2026-11-23T10:00:00Z'))).toEqual(
      new Date('2026-11-22T23:00:00Z'),
    )
    expect(occurrenceAtOrBefore('0 0 * * *', 'Europe/Paris', new Date('2026-07-01T10:00:00Z'))).toEqual(
      new Date('2026-06-30T22:00:00Z'),
    )
    expect(nextOccurrence('0 0 * * *', 'America/New_York', new Date('2026-11-23T00:00:00Z'))).toEqual(
      new Date('2026-11-23T05:00:00Z'),
    )
  })

  it('refuses an invalid expression or time zone when the job is registered', () => {
    const registry = createJobRegistry(async () => [])
    expect(() => registry.register(job('a.bad-minute', '61 * * * *'))).toThrow(
      /job a\.bad-minute: invalid schedule "61 \* \* \* \*"/,
    )
    expect(() => registry.register(job('a.bad-zone', '0 0 * * *', 'Mars/Olympus'))).toThrow(/Mars\/Olympus/)
    registry.register(job('a.daily', '0 0 * * *'))
    expect(() => registry.register(job('a.daily', '0 1 * * *'))).toThrow('job a.daily is registered twice')
  })

  it('describes a schedule with its time zone', () => {
    expect(describeSchedule({ cron: '17 3 * * *' })).toBe('17 3 * * * (UTC)')
    expect(describeSchedule({ cron: '0 0 * * *', timezone: 'organisation' })).toBe(
      "0 0 * * * (each organisation's time zone)",
    )
  })
})

describe('the scheduler', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  function recorder() {
    const seen: string[] = []
    return {
      seen,
      dispatch: async (j: ScheduledJob, o: JobOccurrence) => {
        seen.push(`${j.name} ${o.period}${o.orgId ? ` ${o.orgId} ${o.timezone}` : ''}`)
      },
    }
  }

  it('dispatches an occurrence once its cron time is reached on the injected clock, and only once', async () => {
    const clock = fixedClock('2026-11-22T23:59:30Z')
    const registry = createJobRegistry(async () => [])
    registry.register(job('demo.daily', '0 0 * * *'))
    const { seen, dispatch } = recorder()
    const scheduler = createScheduler({ registry, clock, logger: silent, dispatch })
    clock.set('2026-11-22T23:59:59.999Z')
    await scheduler.tick()
    expect(seen).toEqual([])
    clock.set('2026-11-23T00:00:00Z')
    await scheduler.tick()
    clock.set('2026-11-23T00:00:40Z')
    await scheduler.tick()
    expect(seen).toEqual(['demo.daily 2026-11-23T00:00:00.000Z'])
  })

  it("runs a per-organisation job at midnight of each organisation's own time zone", async () => {
    const clock = fixedClock('2026-11-22T22:00:00Z')
    const registry = createJobRegistry(async () => [
      { id: 'org-paris', timezone: 'Europe/Paris' },
      { id: 'org-ny', timezone: 'America/New_York' },
    ])
    registry.register(job('demo.close-day', '0 0 * * *', 'organisation'))
    const { seen, dispatch } = recorder()
    const scheduler = createScheduler({ registry, clock, logger: silent, dispatch })
    clock.set('2026-11-22T23:00:00Z')
    await scheduler.tick()
    expect(seen).toEqual(['demo.close-day 2026-11-22T23:00:00.000Z org-paris Europe/Paris'])
    clock.set('2026-11-23T05:00:00Z')
    await scheduler.tick()
    expect(seen).toEqual([
      'demo.close-day 2026-11-22T23:00:00.000Z org-paris Europe/Paris',
      'demo.close-day 2026-11-23T05:00:00.000Z org-ny America/New_York',
    ])
  })

  it('wakes itself at the cron time, keeps going after a failed dispatch, and stops', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-23T09:59:58Z') })
    const registry = createJobRegistry(async () => [])
    registry.register(job('demo.every-second', '* * * * * *'), job('demo.hourly', '0 * * * *'))
    const seen: string[] = []
    const scheduler = createScheduler({
      registry,
      clock: systemClock,
      logger: silent,
      dispatch: async (j, o) => {
        seen.push(`${j.name} ${o.period}`)
        if (j.name === 'demo.every-second') throw new Error('the queue is down')
      },
    })
    await scheduler.start()
    await vi.advanceTimersByTimeAsync(2_500)
    await scheduler.stop()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(seen).toEqual([
      'demo.every-second 2026-11-23T09:59:59.000Z',
      'demo.every-second 2026-11-23T10:00:00.000Z',
      'demo.hourly 2026-11-23T10:00:00.000Z',
    ])
  })
})
