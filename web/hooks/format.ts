import { useTranslation } from 'react-i18next'

/** Dates, times, numbers and relative times in the interface language. */
export function useFormat() {
  const { i18n } = useTranslation()
  const locale = i18n.language === 'en' ? 'en-GB' : 'fr-FR'
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' })
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short' })
  const number = new Intl.NumberFormat(locale)
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })
  return {
    locale,
    date: (iso: string) => date.format(new Date(iso)),
    day: (day: string) => date.format(new Date(`${day}T12:00:00`)),
    dateTime: (iso: string) => dateTime.format(new Date(iso)),
    time: (iso: string) => time.format(new Date(iso)),
    number: (n: number) => number.format(n),
    percent: (ratio: number) => percent.format(ratio),
  }
}
