import type { Logger } from 'pino'

/**
 * Keeps read models caught up in the background: runs `reconcile` every `intervalMs`, and after a failure
 * waits twice as long each time (up to `maxBackoffMs`) so that a broken projection is retried, not hammered.
 */
export function startReconciler(
  reconcile: () => Promise<{ failed: unknown }[]>,
  logger: Logger,
  options: { intervalMs: number; maxBackoffMs: number } = { intervalMs: 2_000, maxBackoffMs: 60_000 },
) {
  let delay = options.intervalMs
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  const tick = async () => {
    try {
      const runs = await reconcile()
      delay = runs.some((r) => r.failed) ? Math.min(delay * 2, options.maxBackoffMs) : options.intervalMs
    } catch (err) {
      logger.error({ err }, 'reconciliation failed')
      delay = Math.min(delay * 2, options.maxBackoffMs)
    }
    if (!stopped) timer = setTimeout(tick, delay).unref()
  }
  timer = setTimeout(tick, delay).unref()
  return {
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}
