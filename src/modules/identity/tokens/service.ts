import type { MemberIdentity } from '../../../core/http/access.ts'
import type { Identity } from '../../../core/http/context.ts'
import { forbidden, notFound } from '../../../core/http/errors.ts'
import { newId, randomSecret, sha256Hex } from '../../../core/ids.ts'
import { auditActor, recordAudit } from '../../audit/index.ts'
import { type Actor, type IdentityDeps, now } from '../deps.ts'
import * as repo from '../repository.ts'

export const TOKEN_PREFIX = 'sil_'

/** Creates a token of a member; `actor` is who asks (the member themselves over HTTP, or the command line). */
export async function createApiToken(
  deps: IdentityDeps,
  orgId: string,
  userId: string,
  input: { name: string; expires_in_days?: number },
  actor: Actor = 'cli',
) {
  if (!(await repo.getMembership(deps.db, orgId, userId))) throw notFound('Member')
  const token = `${TOKEN_PREFIX}${randomSecret()}`
  const at = deps.clock.now()
  const row = {
    id: newId(),
    user_id: userId,
    name: input.name,
    token_hash: await sha256Hex(token),
    token_prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    expires_at: input.expires_in_days
      ? new Date(at.getTime() + input.expires_in_days * 86_400_000).toISOString()
      : null,
    last_used_at: null,
    revoked_at: null,
    created_at: at.toISOString(),
  }
  const user = await repo.getUser(deps.db, userId)
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertApiToken(trx, orgId, row)
    await recordAudit(
      { db: trx, clock: deps.clock },
      {
        orgId,
        actor: auditActor(actor),
        action: 'token.created',
        target: { type: 'api_token', id: row.id, label: row.name },
        details: { owner: user?.email ?? null, prefix: row.token_prefix, expires_at: row.expires_at },
      },
    )
  })
  return { ...row, user_email: user?.email ?? '', token }
}

function managesEveryToken(identity: Identity) {
  return identity.isSuperadmin || identity.role === 'owner' || identity.role === 'admin'
}

export async function listApiTokens(
  deps: IdentityDeps,
  orgId: string,
  identity: Identity,
  filter: { all: boolean; query?: string; limit: number; offset: number },
) {
  if (filter.all && !managesEveryToken(identity)) {
    throw forbidden("Only owners and admins see other members' tokens")
  }
  const { all, ...page } = filter
  return repo.pageApiTokens(deps.db, orgId, all ? page : { ...page, userId: identity.userId })
}

/** Members revoke their own tokens; owners and admins any token of the organisation. */
export async function revokeApiToken(
  deps: IdentityDeps,
  orgId: string,
  identity: MemberIdentity,
  tokenId: string,
) {
  const token = await repo.getApiToken(deps.db, orgId, tokenId)
  if (!token || (token.user_id !== identity.userId && !managesEveryToken(identity)))
    throw notFound('API token')
  await deps.db.transaction().execute(async (trx) => {
    await repo.revokeApiToken(trx, orgId, tokenId, now(deps))
    await recordAudit(
      { db: trx, clock: deps.clock },
      {
        orgId,
        actor: auditActor(identity),
        action: 'token.revoked',
        target: { type: 'api_token', id: tokenId, label: token.name },
        details: { owner_id: token.user_id, prefix: token.token_prefix },
      },
    )
  })
}
