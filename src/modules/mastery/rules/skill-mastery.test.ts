import { describe, expect, it } from 'vitest'
import { decayIntervalDays, levelsLost, practise, type SkillState, skillLevelAt } from './skill-mastery.ts'

const DAY = 86_400_000
const at = (i: number) => ({ seq: i, occurred_at: new Date(Date.UTC(2026, 10, 22, 10, i)).toISOString() })

function practised(answers: number[]): SkillState {
  let state: SkillState | null = null
  answers.forEach((share, i) => {
    state = practise(state, [share], at(i + 1)) ?? state
  })
  if (!state) throw new Error('no answers')
  return state
}

describe('skill mastery', () => {
  it('scores right answers with more weight on recent ones, with no bias towards zero at the start', () => {
    expect(practised([1]).score).toBe(1)
    expect(practised([0, 1]).score).toBeCloseTo(1 / 1.7)
    expect(practised([1, 0]).score).toBeCloseTo(0.7 / 1.7)
    expect(practised([0, 1, 1, 1])).toMatchObject({ attempts: 4, correct: 3 })
  })

  it('climbs attempted, familiar, proficient, mastered as right answers accumulate', () => {
    const now = new Date(Date.parse(at(10).occurred_at))
    const levels = [[0], [0, 1], [1], [1, 1], [1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1, 1]].map(
      (answers) => skillLevelAt(practised(answers), now).level,
    )
    expect(levels).toEqual([
      'attempted',
      'familiar',
      'familiar',
      'proficient',
      'mastered',
      'proficient',
      'mastered',
    ])
  })

  it('loses one level per full interval without practice, never below attempted', () => {
    const state = practised([1, 1, 1])
    const last = Date.parse(state.last_practised_at)
    const idleFor = (days: number) => skillLevelAt(state, new Date(last + days * DAY))
    expect(decayIntervalDays).toBe(28)
    expect(idleFor(27.9)).toEqual({ level: 'mastered', practised_level: 'mastered', decayed: false })
    expect(idleFor(28)).toEqual({ level: 'proficient', practised_level: 'mastered', decayed: true })
    expect(idleFor(56).level).toBe('familiar')
    expect(idleFor(84).level).toBe('attempted')
    expect(idleFor(400).level).toBe('attempted')
    expect(levelsLost(state.last_practised_at, new Date(last - DAY))).toBe(0)
  })

  it('counts every answer of one attempt, and an attempt only once', () => {
    const once = practise(null, [1, 0], at(3))
    expect(once).toMatchObject({ attempts: 2, correct: 1, last_seq: 3 })
    expect(practise(once, [1, 0], at(3))).toBeNull()
    expect(practise(once, [], at(4))).toBeNull()
  })
})
