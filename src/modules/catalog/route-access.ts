import type { Context } from 'hono'
import type { MemberIdentity } from '../../core/http/access.ts'
import type { AppEnv } from '../../core/http/context.ts'

// Who may call the catalog's routes.

export const EDITORS = ['owner', 'admin', 'instructor'] as const
export const STAFF = ['owner', 'admin', 'instructor', 'support'] as const
export const MANAGERS = ['owner', 'admin'] as const

/** The caller as a member of their active organisation; every catalog route requires one. */
export const actorOf = (c: Context<AppEnv>) => c.get('identity') as MemberIdentity
