import { TZDate } from '@date-fns/tz'
import { addDays, format, startOfWeek } from 'date-fns'

// Days and weeks as a school lives them: in its own time zone (streaks, weekly XP, daily stats).

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(instant: Date | string, timezone: string): string {
  return format(new TZDate(new Date(instant).getTime(), timezone), 'yyyy-MM-dd')
}

/** The instant a calendar day (YYYY-MM-DD) starts in a time zone. */
export function startOfLocalDay(day: string, timezone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(new TZDate(y, m - 1, d, timezone).getTime())
}

/** The calendar day `days` after `day` (negative: before). */
export function shiftDay(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return format(addDays(new Date(Date.UTC(y, m - 1, d, 12)), days), 'yyyy-MM-dd')
}

/** The instant the week of `now` (starting Monday) started in a time zone. */
export function startOfLocalWeek(now: Date, timezone: string): Date {
  return new Date(startOfWeek(new TZDate(now.getTime(), timezone), { weekStartsOn: 1 }).getTime())
}

/** The calendar day (YYYY-MM-DD) on which the week of `instant` (starting Monday) starts in a time zone. */
export function localWeek(instant: Date | string, timezone: string): string {
  return localDay(startOfLocalWeek(new Date(instant), timezone), timezone)
}
