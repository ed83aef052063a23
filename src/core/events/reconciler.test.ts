import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startReconciler } from './reconciler.ts'

describe('the background reconciler', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs at its interval, backs off while a projection fails, and returns to the interval once it works', async () => {
    vi.useFakeTimers()
    const outcomes = [true, true, true, false, false]
    const calls: number[] = []
    const reconciler = startReconciler(
      async () => {
        calls.push(Date.now())
        return [{ failed: outcomes.shift() ?? null }]
      },
      pino({ level: 'silent' }),
      { intervalMs: 1_000, maxBackoffMs: 5_000 },
    )
    const start = Date.now()
    await vi.advanceTimersByTimeAsync(20_000)
    reconciler.stop()
    const gaps = calls.map((at, i) => at - (i === 0 ? start : (calls[i - 1] as number)))
    // 1 s, then failures double the wait (2 s, 4 s, capped at 5 s), then back to 1 s once it works.
    expect(gaps.slice(0, 6)).toEqual([1_000, 2_000, 4_000, 5_000, 1_000, 1_000])
  })
})
