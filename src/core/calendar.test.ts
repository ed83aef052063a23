import { describe, expect, it } from 'vitest'
import { localDay, localWeek, shiftDay, startOfLocalDay, startOfLocalWeek } from './calendar.ts'

describe('calendar in a time zone', () => {
  it('puts an instant on the local day of each zone', () => {
    const instant = '2026-03-01T23:30:00.000Z'
    expect(localDay(instant, 'Europe/Paris')).toBe('2026-03-02')
    expect(localDay(instant, 'America/New_York')).toBe('2026-03-01')
    expect(localDay(instant, 'UTC')).toBe('2026-03-01')
  })

  it('starts a local day at its midnight, across a daylight-saving change', () => {
    expect(startOfLocalDay('2026-03-29', 'Europe/Paris').toISOString()).toBe('2026-03-28T23:00:00.000Z')
    expect(startOfLocalDay('2026-03-30', 'Europe/Paris').toISOString()).toBe('2026-03-29T22:00:00.000Z')
  })

  it('shifts days across month and year ends', () => {
    expect(shiftDay('2026-12-31', 1)).toBe('2027-01-01')
    expect(shiftDay('2026-03-01', -1)).toBe('2026-02-28')
  })

  it('starts weeks on Monday at local midnight', () => {
    // Sunday 2026-11-29 23:30 in Paris is still the week of Monday 2026-11-23.
    expect(startOfLocalWeek(new Date('2026-11-29T22:30:00Z'), 'Europe/Paris').toISOString()).toBe(
      '2026-11-22T23:00:00.000Z',
    )
    expect(startOfLocalWeek(new Date('2026-11-29T23:30:00Z'), 'Europe/Paris').toISOString()).toBe(
      '2026-11-29T23:00:00.000Z',
    )
  })

  it('names a week by the local date of its Monday', () => {
    expect(localWeek('2026-11-29T22:30:00Z', 'Europe/Paris')).toBe('2026-11-23')
    expect(localWeek('2026-11-29T23:30:00Z', 'Europe/Paris')).toBe('2026-11-30')
    // The same instant is still Sunday in New York.
    expect(localWeek('2026-11-30T03:00:00Z', 'America/New_York')).toBe('2026-11-23')
  })
})
