// The tracking module's public face: the learning facts it records and how they are versioned.
import type { TrackingTables } from './tables.ts'

export {
  type StepContext,
  type TrackingEvent,
  type TrackingEventBody,
  trackingEvents,
} from './contract.ts'
export { trackingPrivacy } from './privacy.ts'
export type { TrackingDeps } from './service.ts'
export { pruneTallyRejectionsJob } from './tally-hook.ts'

declare module '../../core/db/database.ts' {
  /** The tables the tracking module owns. */
  interface Database extends TrackingTables {}
}
