import { describe, expect, it } from 'vitest'
import {
  applyRefill,
  fullHearts,
  type HeartRules,
  type HeartsState,
  heartTimes,
  loseHeart,
  regenerate,
} from './hearts.ts'

const rules: HeartRules = { enabled: true, max_hearts: 5, regen_interval_minutes: 60 }
const T0 = Date.parse('2026-11-22T09:00:00.000Z')
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString()

/** A small deterministic generator (mulberry32), so the property cases are the same on every run. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A state reached by a random history of failed attempts from full. */
function randomState(next: () => number): { state: HeartsState; time: number } {
  let state = fullHearts(rules)
  let time = 0
  for (let i = Math.floor(next() * 12); i > 0; i--) {
    time += Math.floor(next() * 90)
    state = loseHeart(state, at(time), rules).state
  }
  return { state, time }
}

describe('hearts', () => {
  it('cost one per failed attempt, never below zero, and start regenerating from the first loss', () => {
    let state = fullHearts(rules)
    for (let i = 0; i < 6; i++) state = loseHeart(state, at(i), rules).state
    expect(state).toEqual({ hearts: 0, refill_anchor_at: at(0), updated_at: at(5) })
    expect(loseHeart(state, at(6), rules).lost).toBe(false)
    expect(heartTimes(state, rules)).toEqual({ next_heart_at: at(60), full_at: at(300) })
  })

  it('come back one per interval, from the anchor, up to the maximum', () => {
    const empty: HeartsState = { hearts: 0, refill_anchor_at: at(0), updated_at: at(0) }
    expect(regenerate(empty, at(59), rules).state.hearts).toBe(0)
    expect(regenerate(empty, at(60), rules)).toEqual({
      state: { hearts: 1, refill_anchor_at: at(60), updated_at: at(60) },
      gained: 1,
      last_refill_at: at(60),
    })
    expect(regenerate(empty, at(150), rules).state).toEqual({
      hearts: 2,
      refill_anchor_at: at(120),
      updated_at: at(150),
    })
    expect(regenerate(empty, at(1000), rules)).toEqual({
      state: { hearts: 5, refill_anchor_at: null, updated_at: at(1000) },
      gained: 5,
      last_refill_at: at(300),
    })
  })

  it('keep the regeneration clock running when a heart is lost below full', () => {
    const state = loseHeart({ hearts: 3, refill_anchor_at: at(0), updated_at: at(10) }, at(30), rules).state
    expect(state).toEqual({ hearts: 2, refill_anchor_at: at(0), updated_at: at(30) })
    expect(heartTimes(state, rules).next_heart_at).toBe(at(60))
  })

  it('ignore a refill older than the state, and apply a later one as regeneration up to it', () => {
    const state: HeartsState = { hearts: 1, refill_anchor_at: at(60), updated_at: at(90) }
    expect(applyRefill(state, at(60), rules)).toBe(state)
    expect(applyRefill(state, at(120), rules)).toEqual({
      hearts: 2,
      refill_anchor_at: at(120),
      updated_at: at(120),
    })
  })

  it('regenerate the same whether read once or in steps (property)', () => {
    const next = random(42)
    for (let n = 0; n < 500; n++) {
      const { state, time } = randomState(next)
      const t1 = time + Math.floor(next() * 400)
      const t2 = t1 + Math.floor(next() * 400)
      const direct = regenerate(state, at(t2), rules).state
      const stepped = regenerate(regenerate(state, at(t1), rules).state, at(t2), rules).state
      expect(stepped).toEqual(direct)
      // And a refill signal in between changes nothing to what a later read sees.
      const refilled = applyRefill(state, regenerate(state, at(t1), rules).last_refill_at ?? at(t1), rules)
      expect(regenerate(refilled, at(t2), rules).state).toEqual(direct)
    }
  })

  it('stay between 0 and the maximum, never decrease with time, and name a next heart in the future (property)', () => {
    const next = random(7)
    for (let n = 0; n < 500; n++) {
      const { state, time } = randomState(next)
      let previous = -1
      for (let t = time; t < time + 400; t += Math.floor(next() * 50) + 1) {
        const now = regenerate(state, at(t), rules).state
        expect(now.hearts).toBeGreaterThanOrEqual(Math.max(previous, 0))
        expect(now.hearts).toBeLessThanOrEqual(rules.max_hearts)
        previous = now.hearts
        const { next_heart_at, full_at } = heartTimes(now, rules)
        if (now.hearts === rules.max_hearts) expect(next_heart_at).toBeNull()
        else {
          expect(Date.parse(next_heart_at as string)).toBeGreaterThan(Date.parse(at(t)))
          expect(Date.parse(full_at as string)).toBeGreaterThanOrEqual(Date.parse(next_heart_at as string))
        }
      }
    }
  })
})
