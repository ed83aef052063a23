// The reporting module's public face: monitoring views, staff dashboards and, later, exports.
export { reportingRoutes } from './routes.ts'
export type { AverageMasteryPort, OutOfHeartsPort, ReportingDeps } from './service.ts'
