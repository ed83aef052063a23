import type { Selectable } from 'kysely'
import { parseJson } from '../../core/db/json.ts'
import type { AuditLogRow } from './tables.ts'

/** An entry as the API shows it. */
export function entryView(row: Selectable<AuditLogRow>) {
  return {
    id: row.id,
    org_id: row.org_id,
    occurred_at: row.occurred_at,
    actor: { kind: row.actor_kind, id: row.actor_id, label: row.actor_label },
    action: row.action,
    target: { type: row.target_type, id: row.target_id, label: row.target_label },
    details: parseJson<Record<string, unknown>>(row.details_json, {}),
    ip: row.ip,
    user_agent: row.user_agent,
  }
}
