import type { Logger } from 'pino'
import type { MemberIdentity } from './access.ts'
import type { Role } from './roles.ts'

/** Who is calling, resolved once per request by the identity module. */
export type Identity = {
  userId: string
  email: string
  name: string
  isSuperadmin: boolean
  /** The active organisation, or null for a signed-in user who belongs to none. */
  orgId: string | null
  role: Role | null
  via: 'session' | 'token' | 'cf-access'
  sessionId?: string
  tokenId?: string
}

export type AppEnv = {
  Variables: {
    requestId: string
    /** The caller's address as this deployment can know it (socket, trusted proxy or Cloudflare). */
    clientIp: string | undefined
    logger: Logger
    identity: Identity | null
    /** The caller as a member of their active school: set by the access rule of routes that need one. */
    member: MemberIdentity
  }
}
