import { stringify } from 'csv-stringify/sync'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { parseJson } from '../../core/db/json.ts'
import { newId } from '../../core/ids.ts'
import type { AuditEntry } from './contract.ts'
import { entryView } from './presenters.ts'
import * as repo from './repository.ts'

export type AuditDeps = { db: Db; clock: Clock }

/**
 * Appends an entry to the audit log. Give it the transaction of the change (`{ ...deps, db: trx }`) so that
 * the action and its entry are written together or not at all.
 */
export async function recordAudit(deps: AuditDeps, entry: AuditEntry): Promise<void> {
  const { actor, target } = entry
  await repo.insertEntry(deps.db, {
    id: newId(),
    org_id: entry.orgId,
    occurred_at: deps.clock.now().toISOString(),
    actor_kind: actor.kind,
    actor_id: actor.userId,
    actor_label: actor.label,
    action: entry.action,
    target_type: target.type,
    target_id: target.id,
    target_label: target.label ?? null,
    details_json: JSON.stringify(entry.details ?? {}),
    ip: actor.ip,
    user_agent: actor.userAgent,
  })
}

export async function listAudit(
  deps: AuditDeps,
  scope: repo.AuditScope,
  filter: repo.AuditFilter & { limit: number; offset: number },
) {
  const { rows, total } = await repo.listEntries(deps.db, scope, filter)
  return { data: rows.map(entryView), total }
}

const csvColumns = [
  'occurred_at',
  'org_id',
  'actor_kind',
  'actor_id',
  'actor',
  'action',
  'target_type',
  'target_id',
  'target',
  'details',
  'ip',
  'user_agent',
] as const

/** Every matching entry as CSV (RFC 4180, UTF-8 with a byte order mark for Excel), newest first. */
export async function auditCsv(deps: AuditDeps, scope: repo.AuditScope, filter: repo.AuditFilter) {
  const lines: (string | null)[][] = [[...csvColumns]]
  for await (const row of repo.allEntries(deps.db, scope, filter)) {
    lines.push([
      row.occurred_at,
      row.org_id,
      row.actor_kind,
      row.actor_id,
      row.actor_label,
      row.action,
      row.target_type,
      row.target_id,
      row.target_label,
      row.details_json,
      row.ip,
      row.user_agent,
    ])
  }
  return `\uFEFF${stringify(lines, { record_delimiter: 'windows' })}`
}

/** Shorter texts would match inside unrelated words. */
const MIN_VALUE_LENGTH = 3

function replaceAll(text: string, needles: string[], pseudonym: string): string {
  let result = text
  for (const needle of needles) {
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    result = result.replace(new RegExp(escaped, 'gi'), pseudonym)
  }
  return result
}

function scrub(value: unknown, needles: string[], pseudonym: string): unknown {
  if (typeof value === 'string') return replaceAll(value, needles, pseudonym)
  if (Array.isArray(value)) return value.map((v) => scrub(v, needles, pseudonym))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, needles, pseudonym)]))
  }
  return value
}

/**
 * The one change the audit log allows: for an erased person, replaces their ids (as actor, target or inside
 * details) and their personal values (name, e-mail…, found ignoring case) with `pseudonym`, and forgets the
 * address and browser of the requests they made. Entries keep what was done and when. `orgId` null treats
 * the platform's entries. Pass the erasure's transaction as `db`. Returns how many entries changed.
 */
export async function pseudonymisePerson(
  db: Db,
  orgId: string | null,
  person: { ids: string[]; values?: string[] },
  pseudonym: string,
): Promise<number> {
  const ids = person.ids.filter((id) => id.length > 0)
  const values = (person.values ?? []).filter((v) => v.trim().length >= MIN_VALUE_LENGTH)
  const needles = [...ids, ...values].sort((a, b) => b.length - a.length)
  const rows = await repo.entriesNaming(db, orgId, ids, needles)
  for (const row of rows) {
    const actorIsPerson = row.actor_id !== null && ids.includes(row.actor_id)
    const targetIsPerson = row.target_id !== null && ids.includes(row.target_id)
    const text = (value: string | null) => (value === null ? null : replaceAll(value, needles, pseudonym))
    await repo.rewriteEntry(db, orgId, row.id, {
      actor_id: actorIsPerson ? pseudonym : row.actor_id,
      actor_label: actorIsPerson ? pseudonym : text(row.actor_label),
      target_id: targetIsPerson ? pseudonym : row.target_id,
      target_label: targetIsPerson ? pseudonym : text(row.target_label),
      details_json: JSON.stringify(scrub(parseJson(row.details_json, {}), needles, pseudonym)),
      ip: actorIsPerson ? null : row.ip,
      user_agent: actorIsPerson ? null : row.user_agent,
    })
  }
  return rows.length
}
