import { noEvents } from '../../../core/events/event-store.ts'
import { runProjector, type SignalReactor } from '../../../core/events/projector.ts'
import type { GamificationDeps } from '../service.ts'

/**
 * Brings a reactor up to the signal log, before a job reads its rows and after it appends signals (the
 * app's background catch-up would get there too, but later). A failure fails the run, which is retried.
 */
export async function catchUpReactor(deps: GamificationDeps, reactor: SignalReactor) {
  const run = await runProjector(deps.db, noEvents, reactor, deps.clock)
  if (run.failed) throw new Error(`${reactor.name} failed at signal ${run.failed.seq}: ${run.failed.error}`)
}
