import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import { en } from './en.ts'
import { fr } from './fr.ts'

export const languages = ['fr', 'en'] as const
export type Language = (typeof languages)[number]

const STORED = 'sillon.language'

/** Before sign-in: the language chosen on this device, else the browser's if we speak it, else French. */
function initialLanguage(): Language {
  const stored = localStorage.getItem(STORED)
  if (stored === 'fr' || stored === 'en') return stored
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'fr'
}

void i18n.use(initReactI18next).init({
  resources: { fr: { translation: fr }, en: { translation: en } },
  lng: initialLanguage(),
  fallbackLng: 'fr',
  interpolation: { escapeValue: false },
})

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng
})
document.documentElement.lang = i18n.language

/** Switches the interface language; remembered on this device for the next sign-in page. */
export function chooseLanguage(language: Language) {
  localStorage.setItem(STORED, language)
  if (i18n.language !== language) void i18n.changeLanguage(language)
}

export default i18n
