// Yields to the event loop (I/O included), also on Workers, which have no setImmediate.
const nextTurn: (task: () => void) => void = globalThis.setImmediate ?? ((task) => setTimeout(task, 0))

/**
 * Group commit: items submitted in the same turn of the event loop, or while a flush is running, go
 * together into the next flush, so that N concurrent requests cost one transaction instead of N. With a
 * synchronous driver (SQLite) a flush never yields, hence the wait for the next turn before each one:
 * requests whose bytes arrived meanwhile get to join. Under no load a flush holds one item.
 *
 * `flush` answers each item in order: a value, or an Error for that item alone. If `flush` itself throws,
 * every item of the batch gets that error.
 */
export function createBatchQueue<I, O>(
  flush: (items: I[]) => Promise<(O | Error)[]>,
  options: { maxBatch?: number } = {},
) {
  const maxBatch = options.maxBatch ?? 1000
  type Waiting = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }
  let waiting: Waiting[] = []
  let busy = false

  async function drain() {
    const batch = waiting.slice(0, maxBatch)
    waiting = waiting.slice(batch.length)
    try {
      const outcomes = await flush(batch.map((w) => w.item))
      batch.forEach((w, i) => {
        const outcome = outcomes[i]
        if (outcome instanceof Error) w.reject(outcome)
        else w.resolve(outcome as O)
      })
    } catch (err) {
      for (const w of batch) w.reject(err)
    }
    if (waiting.length > 0) nextTurn(() => void drain())
    else busy = false
  }

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        waiting.push({ item, resolve, reject })
        if (busy) return
        busy = true
        nextTurn(() => void drain())
      })
    },
  }
}
