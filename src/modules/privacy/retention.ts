import type { MemberIdentity } from '../../core/http/access.ts'
import { ORGANISATION_TIMEZONE, type ScheduledJob } from '../../core/jobs/job.ts'
import { auditActor, recordAudit } from '../audit/index.ts'
import * as identity from '../identity/index.ts'
import { erasePerson, type PrivacyDeps } from './service.ts'

// Retention: a school keeps the personal data of members who left for `retention_days` (null: until an
// erasure is asked), then the daily job erases them as an administrator would. A member leaves when their
// membership is removed and their profile stays; the job notes the day it first sees them gone, forgets it
// when they come back, and erases them once that day is `retention_days` behind.

const DAY_MS = 86_400_000

export async function retentionOf(
  deps: PrivacyDeps,
  orgId: string,
): Promise<{ retention_days: number | null }> {
  const row = await deps.db
    .selectFrom('privacy_settings')
    .select('retention_days')
    .where('org_id', '=', orgId)
    .executeTakeFirst()
  return { retention_days: row?.retention_days ?? null }
}

/** Sets the school's retention, with its audit entry in the same transaction. */
export async function setRetention(
  deps: PrivacyDeps,
  orgId: string,
  member: MemberIdentity,
  retentionDays: number | null,
) {
  const before = await retentionOf(deps, orgId)
  if (before.retention_days === retentionDays) return before
  const at = deps.clock.now().toISOString()
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('privacy_settings')
      .values({ org_id: orgId, retention_days: retentionDays, updated_at: at })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ retention_days: retentionDays, updated_at: at }))
      .execute()
    await recordAudit(
      { db: trx, clock: deps.clock },
      {
        orgId,
        actor: auditActor(member),
        action: 'privacy.retention_changed',
        target: { type: 'school', id: orgId },
        details: { from: before.retention_days, to: retentionDays },
      },
    )
  })
  return { retention_days: retentionDays }
}

/** Notes who left since the last run, forgets who came back, and erases those gone for too long. */
async function applyRetention(deps: PrivacyDeps, orgId: string, at: Date) {
  const former = await identity.formerMembers(deps.db, orgId)
  const departures = deps.db.deleteFrom('privacy_departures').where('org_id', '=', orgId)
  await (former.length > 0 ? departures.where('user_id', 'not in', former) : departures).execute()
  for (const userId of former) {
    await deps.db
      .insertInto('privacy_departures')
      .values({ org_id: orgId, user_id: userId, left_at: at.toISOString() })
      .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
      .execute()
  }
  const { retention_days } = await retentionOf(deps, orgId)
  if (retention_days === null) return { erased: 0 }
  const due = await deps.db
    .selectFrom('privacy_departures')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('left_at', '<=', new Date(at.getTime() - retention_days * DAY_MS).toISOString())
    .execute()
  for (const { user_id } of due) await erasePerson(deps, orgId, 'system', user_id)
  return { erased: due.length }
}

/** Every night in each school's time zone; a period already done is skipped, and a re-run erases no one twice. */
export function retentionJob(deps: PrivacyDeps): ScheduledJob {
  return {
    name: 'privacy.retention',
    description: "Erases the former members whose school's retention period has passed",
    schedule: { cron: '30 2 * * *', timezone: ORGANISATION_TIMEZONE },
    run: async (ctx) => (ctx.orgId ? applyRetention(deps, ctx.orgId, ctx.scheduledAt) : { erased: 0 }),
  }
}
