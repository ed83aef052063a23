import { describe, expect, it } from 'vitest'
import { closeDay, closeDays, firstDayToClose, noStreak, type StreakRules, streakAsOf } from './streak.ts'

const rules: StreakRules = { qualifying_signals: ['STEP_COMPLETED'], freeze_every_days: 3, max_freezes: 2 }

/** The days from 2026-11-01 on, active where the pattern has an x. */
function days(pattern: string) {
  const active = new Set<string>()
  for (const [i, c] of [...pattern].entries()) {
    if (c === 'x') active.add(`2026-11-${String(i + 1).padStart(2, '0')}`)
  }
  return active
}

const dayOf = (i: number) => `2026-11-${String(i + 1).padStart(2, '0')}`

describe('closing streak days', () => {
  it('grows on active days and breaks on a missed day without a freeze', () => {
    const { state, records } = closeDays(noStreak, dayOf(0), dayOf(3), days('xx.x'), rules)
    expect(records.map((r) => [r.day, r.active, r.frozen, r.streak_length])).toEqual([
      ['2026-11-01', true, false, 1],
      ['2026-11-02', true, false, 2],
      ['2026-11-03', false, false, 0],
      ['2026-11-04', true, false, 1],
    ])
    expect(state).toMatchObject({ streak_length: 1, longest: 2, last_closed_day: '2026-11-04' })
  })

  it('earns a freeze every freeze_every_days active days, up to max_freezes, and spends one per missed day', () => {
    const { records } = closeDays(noStreak, dayOf(0), dayOf(12), days('xxxxxxxxx...x'), rules)
    expect(records.map((r) => [r.streak_length, r.freezes_held, r.frozen])).toEqual([
      [1, 0, false],
      [2, 0, false],
      [3, 1, false],
      [4, 1, false],
      [5, 1, false],
      [6, 2, false],
      [7, 2, false],
      [8, 2, false],
      [9, 2, false], // at the cap: no third freeze
      [9, 1, true],
      [9, 0, true],
      [0, 0, false], // no freeze left: broken
      [1, 0, false],
    ])
  })

  it('records nothing for idle days without a streak, but still moves the last closed day', () => {
    const { state, records } = closeDays(noStreak, dayOf(0), dayOf(9), days(''), rules)
    expect(records).toEqual([])
    expect(state.last_closed_day).toBe('2026-11-10')
  })

  it('gives the same result closed day by day or all at once', () => {
    const active = days('xx.xxxx..xxxxxxx.x.xxx')
    const all = closeDays(noStreak, dayOf(0), dayOf(21), active, rules)
    let state = noStreak
    const records = []
    for (let i = 0; i < 22; i++) {
      const step = closeDays(state, firstDayToClose(state, dayOf(i)), dayOf(i), active, rules)
      state = step.state
      records.push(...step.records)
    }
    expect(state).toEqual(all.state)
    expect(records).toEqual(all.records)
  })

  it('keeps the streak of a missed day only while one is running', () => {
    expect(closeDay({ ...noStreak, freezes_held: 1 }, dayOf(0), false, rules).record).toMatchObject({
      frozen: false,
      streak_length: 0,
      freezes_held: 1,
    })
  })
})

describe('the streak between closes', () => {
  it('counts today as soon as it is active, and closes unclosed days the way the job will', () => {
    const closed = closeDays(noStreak, dayOf(0), dayOf(1), days('xx'), rules).state
    // Days 3 and 4 were active but not closed yet (the job is late); today (day 5) is active.
    const { view, unclosed } = streakAsOf(closed, days('xxxxx'), dayOf(4), rules)
    expect(view).toEqual({
      current: 5,
      longest: 5,
      active_today: true,
      freezes_held: 1,
      last_active_day: '2026-11-05',
      at_risk_today: false,
    })
    expect(unclosed.map((d) => d.day)).toEqual(['2026-11-03', '2026-11-04', '2026-11-05'])
  })

  it('is at risk when a streak runs and today is not active yet', () => {
    const closed = closeDays(noStreak, dayOf(0), dayOf(1), days('xx'), rules).state
    expect(streakAsOf(closed, days('xx'), dayOf(2), rules).view).toMatchObject({
      current: 2,
      active_today: false,
      at_risk_today: true,
    })
    // Two days later, unclosed, the streak has broken.
    expect(streakAsOf(closed, days('xx'), dayOf(4), rules).view).toMatchObject({
      current: 0,
      longest: 2,
      at_risk_today: false,
    })
  })

  it('looks back no further than the catch-up window', () => {
    expect(firstDayToClose(noStreak, '2026-11-30')).toBe('2026-10-02')
    expect(firstDayToClose({ ...noStreak, last_closed_day: '2026-11-28' }, '2026-11-30')).toBe('2026-11-29')
    expect(firstDayToClose({ ...noStreak, last_closed_day: '2026-11-30' }, '2026-11-30')).toBe('2026-12-01')
  })
})
