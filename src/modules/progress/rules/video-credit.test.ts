import { describe, expect, it } from 'vitest'
import { creditPing, videoWatched } from './video-credit.ts'

const rules = { durationSec: 600, maxPlaybackRate: 2, toleranceSec: 10 }
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 22, 9, 0, seconds)).toISOString()

/** Feeds pings in order and returns the final credit and the number of flagged pings. */
function watch(pings: [elapsedSec: number, position: number][]) {
  let state = { startedAt: null as string | null, credited: 0 }
  let skipped = 0
  for (const [elapsed, position] of pings) {
    const next = creditPing(state, { positionSec: position, receivedAt: at(elapsed) }, rules)
    state = { startedAt: next.startedAt, credited: next.credited }
    if (next.skipped) skipped++
  }
  return { credited: state.credited, skipped }
}

describe('video credit (anti-skip)', () => {
  it('credits normal viewing, including at the maximum playback rate', () => {
    expect(
      watch([
        [0, 0],
        [10, 10],
        [20, 20],
        [30, 30],
      ]),
    ).toEqual({ credited: 30, skipped: 0 })
    expect(
      watch([
        [0, 0],
        [10, 20],
        [20, 40],
      ]),
    ).toEqual({ credited: 40, skipped: 0 })
  })

  it('refuses one big jump ahead and flags it, but keeps crediting honest viewing afterwards', () => {
    expect(
      watch([
        [0, 0],
        [10, 20],
        [12, 500],
        [20, 40],
      ]),
    ).toEqual({ credited: 40, skipped: 1 })
  })

  it('never credits more than the maximum rate times the real time elapsed, plus the tolerance', () => {
    for (let trial = 0; trial < 200; trial++) {
      const pings: [number, number][] = []
      let t = 0
      for (let i = 0; i < 30; i++) {
        t += Math.floor(Math.random() * 15)
        pings.push([t, Math.random() * 700])
      }
      const { credited } = watch(pings)
      const elapsed = (pings.at(-1)?.[0] ?? 0) - (pings[0]?.[0] ?? 0)
      expect(credited).toBeLessThanOrEqual(rules.maxPlaybackRate * elapsed + rules.toleranceSec)
    }
  })

  it('ignores positions behind the credit, and clamps past the end to the duration', () => {
    expect(
      watch([
        [0, 0],
        [10, 20],
        [15, 5],
      ]),
    ).toEqual({ credited: 20, skipped: 0 })
    expect(
      watch([
        [0, 0],
        [400, 900],
      ]).credited,
    ).toBe(600)
  })

  it('judges a late batch of offline pings by the time the server received them', () => {
    // Started online at 0s; the rest arrives together at 300s: plausible up to 610s.
    expect(
      watch([
        [0, 0],
        [300, 100],
        [300, 200],
        [300, 590],
      ]),
    ).toEqual({ credited: 590, skipped: 0 })
    // The first ping arriving in the batch: nothing proves time passed.
    expect(
      watch([
        [300, 100],
        [300, 200],
      ]),
    ).toEqual({ credited: 0, skipped: 2 })
  })

  it('counts the video watched at the threshold share of the duration', () => {
    expect(videoWatched(539, 600, 0.9)).toBe(false)
    expect(videoWatched(540, 600, 0.9)).toBe(true)
    expect(videoWatched(0, 0, 0.9)).toBe(false)
  })
})
