import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  answersOf,
  choiceTextsOf,
  hiddenField,
  isSignedBy,
  readScore,
  sameBytes,
  type TallyField,
} from './tally.ts'

const fields: TallyField[] = [
  { key: 'q1', label: 'student_id', type: 'INPUT_TEXT', value: 'typed-by-the-respondent' },
  { key: 'h1', label: 'student_id', type: 'HIDDEN_FIELDS', value: ' s-1 ' },
  { key: 'h2', label: 'class_id', type: 'HIDDEN_FIELDS', value: '' },
  { key: 'q2', label: 'score', type: 'INPUT_NUMBER', value: 10 },
  { key: 'c1', label: 'score', type: 'CALCULATED_FIELDS', value: 6 },
]

describe('reading a Tally response', () => {
  it('accepts the signature Tally computes over the raw body, and nothing else', async () => {
    const raw = '{"eventId":"e1","data":{"formId":"f"}}'
    const signature = createHmac('sha256', 'secret-1').update(raw).digest('base64')
    expect(await isSignedBy(raw, signature, 'secret-1')).toBe(true)
    expect(await isSignedBy(raw, signature, 'secret-2')).toBe(false)
    expect(await isSignedBy(`${raw} `, signature, 'secret-1')).toBe(false)
    expect(await isSignedBy(raw, signature.slice(0, -4), 'secret-1')).toBe(false)
    expect(await isSignedBy(raw, '%%%', 'secret-1')).toBe(false)
  })

  it('compares bytes whatever their content, unequal lengths included', () => {
    expect(sameBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true)
    expect(sameBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false)
    expect(sameBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false)
  })

  it('takes ids from hidden fields only and the score from a calculated field only', () => {
    expect(hiddenField(fields, 'student_id')).toBe('s-1')
    expect(hiddenField(fields, 'class_id')).toBeUndefined()
    expect(readScore(fields, { score_field: 'score', max_score: 10 })).toEqual({ score: 6 })
  })

  it('refuses a missing, non-numeric or out-of-range score', () => {
    const scored = (value: unknown) => [{ key: 'c', label: 'score', type: 'CALCULATED_FIELDS', value }]
    const mapping = { score_field: 'score', max_score: 10 }
    expect(readScore(scored('7.5'), mapping)).toEqual({ score: 7.5 })
    for (const value of ['ten', '', null, undefined, -1, 11, Number.NaN]) {
      expect(readScore(scored(value), mapping), String(value)).toHaveProperty('problem')
    }
    expect(readScore([], mapping)).toHaveProperty('problem')
  })

  it('keeps the answers by field key, without the hidden ids', () => {
    expect(answersOf(fields)).toEqual({ q1: 'typed-by-the-respondent', q2: 10, c1: 6 })
  })

  it('matches field labels whatever their case, accents and spacing', () => {
    const typed: TallyField[] = [
      { key: 'h1', label: '  Student_ID ', type: 'HIDDEN_FIELDS', value: 's-2' },
      { key: 'h2', label: 'Class_Id', type: 'HIDDEN_FIELDS', value: 'c-2' },
      { key: 'c1', label: 'Score', type: 'CALCULATED_FIELDS', value: 4 },
      { key: 'c2', label: 'Note   Finale', type: 'CALCULATED_FIELDS', value: 3 },
      { key: 'c3', label: 'Résultat', type: 'CALCULATED_FIELDS', value: 2 },
    ]
    expect(hiddenField(typed, 'student_id')).toBe('s-2')
    expect(hiddenField(typed, 'class_id')).toBe('c-2')
    expect(readScore(typed, { score_field: 'score', max_score: 10 })).toEqual({ score: 4 })
    expect(readScore(typed, { score_field: 'note finale', max_score: 10 })).toEqual({ score: 3 })
    expect(readScore(typed, { score_field: 'resultat', max_score: 10 })).toEqual({ score: 2 })
    expect(readScore(typed, { score_field: 'scores', max_score: 10 })).toHaveProperty('problem')
  })

  it('keeps the texts of the chosen options next to their ids', () => {
    const planets = [
      { id: 'o1', text: 'Mars' },
      { id: 'o2', text: 'Venus' },
      { id: 'o3', text: 'Jupiter' },
    ]
    const choices: TallyField[] = [
      { key: 'mc', label: 'Red planet?', type: 'MULTIPLE_CHOICE', value: ['o1'], options: planets },
      { key: 'cb', label: 'Gas giants?', type: 'CHECKBOXES', value: ['o3', 'o2'], options: planets },
      // Tally adds one boolean field per checkbox option, without options.
      { key: 'cb_o3', label: 'Gas giants? (Jupiter)', type: 'CHECKBOXES', value: true },
      { key: 'dd', label: 'Closest?', type: 'DROPDOWN', value: ['gone', 'o2'], options: planets },
      { key: 'none', label: 'Skipped', type: 'MULTIPLE_CHOICE', value: null, options: planets },
      { key: 't', label: 'Why?', type: 'TEXTAREA', value: 'Iron oxide' },
    ]
    expect(choiceTextsOf(choices)).toEqual({
      mc: ['Mars'],
      cb: ['Jupiter', 'Venus'],
      dd: ['Venus'],
      none: [],
    })
    expect(answersOf(choices)).toMatchObject({ mc: ['o1'], cb: ['o3', 'o2'], t: 'Iron oxide' })
  })
})
