import type { MiddlewareHandler } from 'hono'
import type { AppEnv, Identity } from './context.ts'
import { forbidden, unauthorized } from './errors.ts'
import type { Role } from './roles.ts'

/**
 * Who may call a route: anyone, any signed-in user, any member of the active organisation,
 * members with one of the listed roles, or platform superadmins.
 */
export type Access = 'public' | 'authenticated' | 'member' | 'superadmin' | readonly Role[]

/** Where a request comes from, as this deployment can know it: what the audit log records. */
type RequestOrigin = { ip: string | null; userAgent: string | null }

/** Identity of a member acting inside their active organisation (`origin` is set for requests). */
export type MemberIdentity = Identity & { orgId: string; role: Role; origin?: RequestOrigin }

export function describeAccess(access: Access): string {
  if (typeof access === 'string') return access
  return access.join(', ')
}

export function authorize(access: Access): MiddlewareHandler<AppEnv> {
  const allowed = typeof access === 'string' ? null : new Set<Role>(access)
  return async (c, next) => {
    if (access === 'public') return next()
    const identity = c.get('identity')
    if (!identity) throw unauthorized()
    if (access === 'authenticated') return next()
    if (access === 'superadmin') {
      if (!identity.isSuperadmin) throw forbidden('Only platform administrators can do this')
      return next()
    }
    const { orgId, role } = identity
    if (!orgId || !role) {
      throw forbidden('Choose an organisation first', 'no_organisation')
    }
    if (allowed && !allowed.has(role)) {
      throw forbidden(`This needs one of these roles: ${[...allowed].join(', ')}`)
    }
    const origin = { ip: c.get('clientIp') ?? null, userAgent: c.req.header('user-agent') ?? null }
    c.set('member', { ...identity, orgId, role, origin })
    return next()
  }
}
