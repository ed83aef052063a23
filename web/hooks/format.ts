import { useTranslation } from 'react-i18next'
import { useMe } from './session.ts'

/** The locale whose Intl rules (dates, numbers, lists, ordinals) go with an interface language. */
function intlLocale(language: string): string {
  return language === 'en' ? 'en-GB' : 'fr-FR'
}

/** `make()`'s value, made on the first call only. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined
  return () => {
    made ??= { value: make() }
    return made.value
  }
}

/**
 * The formatting functions for one locale and time zone; see `useFormat`. Each Intl formatter is made on its
 * first use and kept: on a slow phone the first date formatter alone costs about 150 ms (the browser loads
 * its calendar and time zone data then), and the hook runs in every component that shows a number or a date,
 * at each drawing. A page that shows no date (the course player) never pays for one.
 */
function formatsFor(locale: string, timeZone: string | undefined) {
  const date = once(() => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }))
  const dateTime = once(
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }),
  )
  const time = once(() => new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }))
  // A school day ("2026-12-07") is already the school's: read and shown at noon UTC, it never shifts.
  const day = once(() => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }))
  const number = once(() => new Intl.NumberFormat(locale))
  const percent = once(() => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }))
  const list = once(() => new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }))
  const alternatives = once(() => new Intl.ListFormat(locale, { style: 'long', type: 'disjunction' }))
  // What follows the number in a percentage: " %" (a narrow no-break space) in French, "%" in English.
  const percentSuffix = once(() =>
    percent()
      .formatToParts(0)
      .filter((p) => p.type === 'percentSign' || p.type === 'literal')
      .map((p) => p.value)
      .join(''),
  )
  return {
    locale,
    timeZone,
    date: (iso: string) => date().format(new Date(iso)),
    day: (schoolDay: string) => day().format(new Date(`${schoolDay}T12:00:00Z`)),
    dateTime: (iso: string) => dateTime().format(new Date(iso)),
    time: (iso: string) => time().format(new Date(iso)),
    number: (n: number) => number().format(n),
    percent: (ratio: number) => percent().format(ratio),
    get percentSuffix() {
      return percentSuffix()
    },
    list: (items: string[]) => list().format(items),
    /** "A, B or C": any one of them. */
    alternatives: (items: string[]) => alternatives().format(items),
  }
}

// One set per locale and time zone, for every component and drawing.
const formats = new Map<string, ReturnType<typeof formatsFor>>()

/**
 * Dates, times, numbers, lists and ordinals in the interface language. Moments are shown in the school's
 * time zone, not the browser's: a badge earned at 23:30 in Paris is on the same day as the streak's
 * Paris day, wherever the device is set.
 */
export function useFormat() {
  const { i18n } = useTranslation()
  const me = useMe()
  const locale = intlLocale(i18n.language)
  const timeZone = me.data?.organisation?.timezone
  const key = `${locale} ${timeZone ?? ''}`
  let found = formats.get(key)
  if (!found) {
    found = formatsFor(locale, timeZone)
    formats.set(key, found)
  }
  return found
}
