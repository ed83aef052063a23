import type { ZxcvbnFactory } from '@zxcvbn-ts/core'
import { badRequest } from '../../core/http/errors.ts'

/** zxcvbn's scale runs 0 to 4; 3 resists an offline attack on a slow hash for years. */
const MIN_PASSWORD_SCORE = 3
const MIN_PASSWORD_LENGTH = 8

// The dictionaries weigh a few megabytes and take a quarter of a second to index: loaded on the first
// password that is set, once per process, never on sign-in.
let checker: Promise<ZxcvbnFactory> | undefined

async function loadChecker(): Promise<ZxcvbnFactory> {
  const [core, common, en, fr] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
    import('@zxcvbn-ts/language-fr'),
  ])
  // No translations: feedback comes back as zxcvbn's keys, which the web app shows in the reader's language.
  return new core.ZxcvbnFactory({
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary, ...fr.dictionary },
  })
}

/** Why a password was refused: zxcvbn's score and its feedback keys (see @zxcvbn-ts/language-*). */
type WeakPasswordDetails = {
  score: number
  min_score: number
  min_length: number
  warning: string | null
  suggestions: string[]
}

/**
 * Refuses a password that is short or easy to guess, with 400 `weak_password` and zxcvbn's feedback.
 * The person's name and e-mail count as known words, so "camille2024" is weak for Camille.
 */
export async function assertStrongPassword(password: string, personal: (string | null | undefined)[]) {
  checker ??= loadChecker()
  const inputs = personal.flatMap((value) => (value ? [value, ...value.split(/[\s@.+_-]+/)] : []))
  const result = (await checker).check(
    password,
    inputs.filter((word) => word.length > 2),
  )
  if (password.length >= MIN_PASSWORD_LENGTH && result.score >= MIN_PASSWORD_SCORE) return
  const details: WeakPasswordDetails = {
    score: result.score,
    min_score: MIN_PASSWORD_SCORE,
    min_length: MIN_PASSWORD_LENGTH,
    warning: result.feedback.warning,
    suggestions: result.feedback.suggestions,
  }
  throw badRequest(
    'weak_password',
    'This password is too easy to guess: use a longer one, for example several unrelated words',
    details,
  )
}
