import { describe, expect, it } from 'vitest'
import { createBatchQueue } from './batch-queue.ts'

describe('batch queue', () => {
  it('flushes items submitted in the same turn together, and answers each in order', async () => {
    const batches: number[][] = []
    const queue = createBatchQueue(async (items: number[]) => {
      batches.push(items)
      return items.map((n) => n * 2)
    })
    const answers = await Promise.all([1, 2, 3].map((n) => queue.submit(n)))
    expect(answers).toEqual([2, 4, 6])
    expect(batches).toEqual([[1, 2, 3]])
  })

  it('collects what arrives during a flush into the next one', async () => {
    const batches: number[][] = []
    let release: () => void = () => {}
    const queue = createBatchQueue(async (items: number[]) => {
      batches.push(items)
      if (batches.length === 1) await new Promise<void>((r) => (release = r))
      return items
    })
    const first = queue.submit(1)
    await new Promise((r) => setImmediate(r))
    const later = [queue.submit(2), queue.submit(3)]
    release()
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3])
    expect(batches).toEqual([[1], [2, 3]])
  })

  it('caps a flush at maxBatch items', async () => {
    const batches: number[][] = []
    const queue = createBatchQueue(
      async (items: number[]) => {
        batches.push(items)
        return items
      },
      { maxBatch: 2 },
    )
    await Promise.all([1, 2, 3, 4, 5].map((n) => queue.submit(n)))
    expect(batches).toEqual([[1, 2], [3, 4], [5]])
  })

  it('fails only the item whose outcome is an error, and every item when the flush throws', async () => {
    let explode = false
    const queue = createBatchQueue(async (items: number[]) => {
      if (explode) throw new Error('disk full')
      return items.map((n) => (n < 0 ? new Error(`negative ${n}`) : n))
    })
    const outcomes = await Promise.allSettled([queue.submit(1), queue.submit(-1)])
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 })
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: new Error('negative -1') })
    explode = true
    const failed = await Promise.allSettled([queue.submit(1), queue.submit(2)])
    expect(failed.map((o) => o.status)).toEqual(['rejected', 'rejected'])
    // The queue keeps working after a failed flush.
    explode = false
    expect(await queue.submit(7)).toBe(7)
  })
})
