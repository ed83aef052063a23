// The privacy module's public face: the GDPR requests (access and erasure) over every module's privacy port,
// and the retention of former members' data.
import type { PrivacyTables } from './tables.ts'

export { privacyPrivacy } from './privacy.ts'
export { retentionJob } from './retention.ts'
export { erasePersonByEmail, type PrivacyDeps } from './service.ts'

declare module '../../core/db/database.ts' {
  /** The tables the privacy module owns. */
  interface Database extends PrivacyTables {}
}
