import { type Expression, type Insertable, type SqlBool, sql } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import { containsText } from '../../core/db/like.ts'
import type { AuditAction, AuditActor, AuditTargetType } from './contract.ts'
import type { AuditLogRow } from './tables.ts'

/** A school's entries, the platform's own (null), or every entry ('platform-wide', for superadmins). */
export type AuditScope = { orgId: string | null } | 'platform-wide'

export type AuditFilter = {
  action?: AuditAction
  actor_id?: string
  actor_kind?: AuditActor['kind']
  target_type?: AuditTargetType
  target_id?: string
  /** Part of the actor's or the target's name. */
  query?: string
  /** ISO instants: from inclusive, to exclusive. */
  from?: string
  to?: string
}

export async function insertEntry(db: Db, row: Insertable<AuditLogRow>) {
  await db.insertInto('audit_log').values(row).execute()
}

function filtered(db: Db, scope: AuditScope, filter: AuditFilter) {
  let query = db.selectFrom('audit_log')
  if (scope !== 'platform-wide') {
    query = scope.orgId === null ? query.where('org_id', 'is', null) : query.where('org_id', '=', scope.orgId)
  }
  if (filter.action) query = query.where('action', '=', filter.action)
  if (filter.actor_id) query = query.where('actor_id', '=', filter.actor_id)
  if (filter.actor_kind) query = query.where('actor_kind', '=', filter.actor_kind)
  if (filter.target_type) query = query.where('target_type', '=', filter.target_type)
  if (filter.target_id) query = query.where('target_id', '=', filter.target_id)
  if (filter.from) query = query.where('occurred_at', '>=', filter.from)
  if (filter.to) query = query.where('occurred_at', '<', filter.to)
  const text = filter.query
  if (text) {
    query = query.where((eb) =>
      eb.or([containsText(eb.ref('actor_label'), text), containsText(eb.ref('target_label'), text)]),
    )
  }
  return query
}

/** A page of entries, newest first, and how many match across all pages. */
export async function listEntries(
  db: Db,
  scope: AuditScope,
  filter: AuditFilter & { limit: number; offset: number },
) {
  const query = filtered(db, scope, filter)
  const [rows, total] = await Promise.all([
    query
      .selectAll()
      .orderBy('occurred_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.n) }
}

/** Every entry that matches, newest first, in batches (the CSV export). */
export async function* allEntries(db: Db, scope: AuditScope, filter: AuditFilter, batch = 500) {
  for (let offset = 0; ; offset += batch) {
    const { rows } = await listEntries(db, scope, { ...filter, limit: batch, offset })
    yield* rows
    if (rows.length < batch) return
  }
}

/** The school's entries that name one of these ids as actor or target, or whose details hold one of the texts. */
export async function entriesNaming(db: Db, orgId: string | null, ids: string[], texts: string[]) {
  if (ids.length === 0 && texts.length === 0) return []
  const columns = ['details_json', 'target_label', 'actor_label'] as const
  return filtered(db, { orgId }, {})
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(ids.length > 0 ? [eb('actor_id', 'in', ids), eb('target_id', 'in', ids)] : []),
        ...columns.flatMap((column) =>
          texts.flatMap((text) => [
            containsText(eb.ref(column), text),
            containsAsWritten(eb.ref(column), text),
          ]),
        ),
      ]),
    )
    .execute()
}

/** SQLite's lower() folds ASCII letters only: "Élodie" is also looked for as written. */
function containsAsWritten(column: Expression<string | null>, text: string): Expression<SqlBool> {
  return sql<SqlBool>`${column} like ${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`
}

/** The one update of the log: an erased person's ids and personal values replaced by a pseudonym. */
export async function rewriteEntry(
  db: Db,
  orgId: string | null,
  id: string,
  patch: Pick<
    AuditLogRow,
    'actor_id' | 'actor_label' | 'target_id' | 'target_label' | 'details_json' | 'ip' | 'user_agent'
  >,
) {
  let query = db.updateTable('audit_log').set(patch).where('id', '=', id)
  query = orgId === null ? query.where('org_id', 'is', null) : query.where('org_id', '=', orgId)
  await query.execute()
}
