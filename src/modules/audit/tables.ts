import type { Generated } from 'kysely'
import type { AuditAction, AuditActor, AuditTargetType } from './contract.ts'

export type AuditLogRow = {
  /** The order of writing (entries of one millisecond). */
  seq: Generated<number>
  id: string
  org_id: string | null
  occurred_at: string
  actor_kind: AuditActor['kind']
  actor_id: string | null
  actor_label: string | null
  action: AuditAction
  target_type: AuditTargetType
  target_id: string | null
  target_label: string | null
  details_json: string
  ip: string | null
  user_agent: string | null
}

export type AuditTables = {
  audit_log: AuditLogRow
}
