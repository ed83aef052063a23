// The reporting module's public face: monitoring views and, later, dashboards and exports.
export { reportingRoutes } from './routes.ts'
export type { ReportingDeps } from './service.ts'
