import type { TallyMapping } from '../../catalog/index.ts'

// Reading a Tally FORM_RESPONSE: its signature, and the fields a step's mapping names. Hidden fields are
// set by Sillon in the form's URL; the score is a calculated field, which the respondent cannot type.

/** A choice of a MULTIPLE_CHOICE, CHECKBOXES, DROPDOWN, MULTI_SELECT or RANKING field; `value` holds ids. */
type TallyOption = { id: string; text?: string | null }

export type TallyField = {
  key: string
  label?: string | null
  type: string
  value?: unknown
  options?: TallyOption[]
}

const encoder = new TextEncoder()

function fromBase64(value: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(value.trim()), (c) => c.charCodeAt(0))
  } catch {
    return null
  }
}

/** Equality of two byte strings in a time that depends only on their length (an HMAC's length is public). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return diff === 0
}

/** HMAC-SHA256 of the raw body with the form's signing secret, as Tally computes it. */
async function tallySignature(rawBody: string, secret: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(rawBody)))
}

/** Whether the `Tally-Signature` header (base64) is the signature of exactly this body with this secret. */
export async function isSignedBy(rawBody: string, header: string, secret: string): Promise<boolean> {
  const given = fromBase64(header)
  return given !== null && sameBytes(given, await tallySignature(rawBody, secret))
}

/**
 * A label as people type it: teachers name a field "Score", "score" or "Score " in Tally and "score" in
 * Sillon, so case, accents and spacing do not count.
 */
function labelKey(label: string): string {
  return label.normalize('NFKD').replace(/\p{M}/gu, '').trim().replace(/\s+/g, ' ').toLowerCase()
}

function fieldNamed(fields: TallyField[], type: string, name: string): TallyField | undefined {
  const key = labelKey(name)
  return fields.find((f) => f.type === type && typeof f.label === 'string' && labelKey(f.label) === key)
}

/** The value of the hidden field with this name, when it is a non-empty string. */
export function hiddenField(fields: TallyField[], name: string): string | undefined {
  const field = fieldNamed(fields, 'HIDDEN_FIELDS', name)
  const value = typeof field?.value === 'string' ? field.value.trim() : ''
  return value === '' ? undefined : value
}

/** Every hidden field value that could be an id (to find which step a response was meant for). */
export function hiddenValues(fields: TallyField[]): string[] {
  return fields
    .filter((f) => f.type === 'HIDDEN_FIELDS' && typeof f.value === 'string')
    .map((f) => (f.value as string).trim())
    .filter((v) => v.length > 0 && v.length <= 64)
    .slice(0, 50)
}

export type ScoreReading = { score: number } | { problem: string }

/** The score from the calculated field the mapping names, between 0 and the mapping's max_score. */
export function readScore(
  fields: TallyField[],
  mapping: Pick<TallyMapping, 'score_field' | 'max_score'>,
): ScoreReading {
  const field = fieldNamed(fields, 'CALCULATED_FIELDS', mapping.score_field)
  if (!field) return { problem: `The calculated field "${mapping.score_field}" (the score) is missing` }
  const raw = field.value
  const score =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN
  if (!Number.isFinite(score)) {
    return {
      problem: `The calculated field "${mapping.score_field}" is not a number: ${JSON.stringify(raw)}`,
    }
  }
  if (score < 0 || score > mapping.max_score) {
    return { problem: `The score ${score} is outside 0..${mapping.max_score} (the step's max_score)` }
  }
  return { score }
}

/** The respondent's answers by Tally field key; hidden fields (ids Sillon set) are left out. */
export function answersOf(fields: TallyField[]): Record<string, unknown> {
  return Object.fromEntries(
    fields.filter((f) => f.type !== 'HIDDEN_FIELDS').map((f) => [f.key, f.value ?? null]),
  )
}

/**
 * The texts of the options chosen in each choice field, by Tally field key: Tally sends option ids as the
 * value, which mean nothing once the form changes. Ids without a known option are left out.
 */
export function choiceTextsOf(fields: TallyField[]): Record<string, string[]> {
  const texts: Record<string, string[]> = {}
  for (const field of fields) {
    if (!field.options || field.type === 'HIDDEN_FIELDS') continue
    const chosen = Array.isArray(field.value) ? field.value : [field.value]
    const byId = new Map(field.options.map((o) => [o.id, o.text ?? '']))
    texts[field.key] = chosen.flatMap((id) => {
      const text = typeof id === 'string' ? byId.get(id) : undefined
      return text === undefined ? [] : [text]
    })
  }
  return texts
}
