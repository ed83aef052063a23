// The reporting module's public face: monitoring views, staff dashboards, one student's page in a course
// and a course's results as CSV.
export type { ReportingDeps } from './deps.ts'
export { studentsAtRisk } from './overview/at-risk-now.ts'
