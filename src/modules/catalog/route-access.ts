import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'

/** The caller as a member of their active organisation; every catalog route requires one. */
export const actorOf = (c: Context<AppEnv>) => c.get('member')
