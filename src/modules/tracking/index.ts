// The tracking module's public face: the learning facts it records and how they are versioned.
import type { TrackingTables } from './tables.ts'

export {
  type QuizSubmit,
  type StepAck,
  type StepContext,
  type TrackingEvent,
  type TrackingEventBody,
  trackingEvents,
  type VideoPing,
} from './contract.ts'
export { gate, type TrackingDeps } from './service.ts'
export { pruneTallyRejectionsJob } from './tally-hook.ts'

declare module '../../core/db/database.ts' {
  /** The tables the tracking module owns. */
  interface Database extends TrackingTables {}
}
