import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import { fr } from './fr.ts'

export const languages = ['fr', 'en'] as const
export type Language = (typeof languages)[number]

const STORED = 'sillon.language'

/** Before sign-in: the language chosen on this device, else the browser's if we speak it, else French. */
export function initialLanguage(): Language {
  const stored = localStorage.getItem(STORED)
  if (stored === 'fr' || stored === 'en') return stored
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'fr'
}

// French, the default and the fallback of every missing text, comes with the app; English is fetched the
// first time someone needs it, so a French reader's phone never downloads and parses it.
void i18n.use(initReactI18next).init({
  resources: { fr: { translation: fr } },
  lng: 'fr',
  fallbackLng: 'fr',
  interpolation: { escapeValue: false },
  initAsync: false,
})

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng
})

/** Shows the interface in this language, its texts fetched first when they are not loaded yet. */
export async function changeLanguage(language: Language): Promise<void> {
  if (!i18n.hasResourceBundle(language, 'translation')) {
    const { en } = await import('./en.ts')
    i18n.addResourceBundle('en', 'translation', en)
  }
  if (i18n.language !== language) await i18n.changeLanguage(language)
}

/** Switches the interface language; remembered on this device for the next sign-in page. */
export function chooseLanguage(language: Language) {
  localStorage.setItem(STORED, language)
  void changeLanguage(language)
}

export default i18n
