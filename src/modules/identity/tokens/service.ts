import type { Identity } from '../../../core/http/context.ts'
import { forbidden, notFound } from '../../../core/http/errors.ts'
import { newId, randomSecret, sha256Hex } from '../../../core/ids.ts'
import { type IdentityDeps, now } from '../deps.ts'
import * as repo from '../repository.ts'

export const TOKEN_PREFIX = 'sil_'

export async function createApiToken(
  deps: IdentityDeps,
  orgId: string,
  userId: string,
  input: { name: string; expires_in_days?: number },
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
  await repo.insertApiToken(deps.db, orgId, row)
  const user = await repo.getUser(deps.db, userId)
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
export async function revokeApiToken(deps: IdentityDeps, orgId: string, identity: Identity, tokenId: string) {
  const token = await repo.getApiToken(deps.db, orgId, tokenId)
  if (!token || (token.user_id !== identity.userId && !managesEveryToken(identity)))
    throw notFound('API token')
  await repo.revokeApiToken(deps.db, orgId, tokenId, now(deps))
}
