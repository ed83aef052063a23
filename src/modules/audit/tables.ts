export type AuditLogRow = {
  id: string
  org_id: string | null
  occurred_at: string
  actor_kind: string
  actor_id: string | null
  actor_label: string | null
  action: string
  target_type: string
  target_id: string | null
  target_label: string | null
  details_json: string
  ip: string | null
  user_agent: string | null
}

export type AuditTables = {
  audit_log: AuditLogRow
}
