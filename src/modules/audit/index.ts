// The audit module's public face: what other modules, the CLI and the entries call to record an
// administrative action, and the erasure's pseudonymisation of a person's entries.
import type { AuditTables } from './tables.ts'

export {
  type ActingMember,
  type AuditActor,
  auditActor,
  cliActor,
  systemActor,
} from './contract.ts'
export { auditPrivacy } from './privacy.ts'
export { pseudonymisePerson, recordAudit } from './service.ts'

declare module '../../core/db/database.ts' {
  /** The table the audit module owns. */
  interface Database extends AuditTables {}
}
