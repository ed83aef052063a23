import { translations as en } from '@zxcvbn-ts/language-en'
import { translations as fr } from '@zxcvbn-ts/language-fr'
import { ApiError } from '../api/client.ts'

type Translations = { warnings: Record<string, string>; suggestions: Record<string, string> }
const byLanguage: Record<string, Translations> = { en, fr }

/**
 * zxcvbn's feedback on a refused password (400 `weak_password`), in the reader's language: the server
 * sends zxcvbn's keys and the language packs say them (named imports: the dictionaries stay out).
 */
export function weakPasswordAdvice(err: unknown, language: string): string[] {
  if (!(err instanceof ApiError) || err.code !== 'weak_password') return []
  const texts: Translations = byLanguage[language] ?? fr
  const { warning, suggestions } = err.details as { warning?: string | null; suggestions?: string[] }
  return [
    ...(warning ? [texts.warnings[warning] ?? warning] : []),
    ...(suggestions ?? []).map((key) => texts.suggestions[key] ?? key),
  ]
}
