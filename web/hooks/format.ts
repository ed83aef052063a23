import { useTranslation } from 'react-i18next'
import { useMe } from './session.ts'

/** The locale whose Intl rules (dates, numbers, lists, ordinals) go with an interface language. */
function intlLocale(language: string): string {
  return language === 'en' ? 'en-GB' : 'fr-FR'
}

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
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone })
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone })
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone })
  // A school day ("2026-12-07") is already the school's: read and shown at noon UTC, it never shifts.
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' })
  const number = new Intl.NumberFormat(locale)
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })
  const list = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' })
  const alternatives = new Intl.ListFormat(locale, { style: 'long', type: 'disjunction' })
  // What follows the number in a percentage: " %" (a narrow no-break space) in French, "%" in English.
  const percentSuffix = percent
    .formatToParts(0)
    .filter((p) => p.type === 'percentSign' || p.type === 'literal')
    .map((p) => p.value)
    .join('')
  return {
    locale,
    timeZone,
    date: (iso: string) => date.format(new Date(iso)),
    day: (schoolDay: string) => day.format(new Date(`${schoolDay}T12:00:00Z`)),
    dateTime: (iso: string) => dateTime.format(new Date(iso)),
    time: (iso: string) => time.format(new Date(iso)),
    number: (n: number) => number.format(n),
    percent: (ratio: number) => percent.format(ratio),
    percentSuffix,
    list: (items: string[]) => list.format(items),
    /** "A, B or C": any one of them. */
    alternatives: (items: string[]) => alternatives.format(items),
  }
}
