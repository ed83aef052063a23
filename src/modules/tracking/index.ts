// The tracking module's public face: the learning facts it records and how they are versioned.
export {
  type QuizSubmit,
  type StepAck,
  type StepContext,
  trackingEvents,
  type VideoPing,
  type VideoPingV1,
} from './events.ts'
export { trackingRoutes } from './routes.ts'
export { gate, type TrackingDeps } from './service.ts'
export { pruneTallyRejectionsJob } from './tally-hook.ts'
