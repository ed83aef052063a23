import type { MemberIdentity } from '../../core/http/access.ts'

// What other modules, the CLI and the entries hand to the audit log: a closed list of actions and target
// types, and who acted from where.

/** Every administrative action the log records; a new one is added here (and to the web app's texts). */
export const auditActions = [
  'member.invited',
  'member.role_changed',
  'member.removed',
  'token.created',
  'token.revoked',
  'course.published',
  'course.archived',
  'course.exported',
  'course.imported',
  'gamification.settings_changed',
  'gamification.xp_rebuild_requested',
  'school.exported',
  'school.imported',
  'person.exported',
  'person.erased',
  'privacy.retention_changed',
  'backup.created',
  'backup.restored',
  'superadmin.granted',
  'superadmin.revoked',
] as const

export type AuditAction = (typeof auditActions)[number]

/** What an action was done to. */
export const auditTargetTypes = [
  'member',
  'invitation',
  'api_token',
  'course',
  'gamification_settings',
  'school',
  'person',
  'backup',
  'user',
] as const

export type AuditTargetType = (typeof auditTargetTypes)[number]

/** member: a member of the school; superadmin: a platform operator; cli: the `sillon` command; system: a job. */
export const auditActorKinds = ['member', 'superadmin', 'cli', 'system'] as const

/** Who acted, and from where (requests only). */
export type AuditActor = {
  kind: (typeof auditActorKinds)[number]
  userId: string | null
  /** Name and e-mail at the time, so that the entry reads the same once the account is gone. */
  label: string | null
  ip: string | null
  userAgent: string | null
}

export type AuditEntry = {
  /** null for platform entries (superadmins granted, restores). */
  orgId: string | null
  actor: AuditActor
  action: AuditAction
  target: { type: AuditTargetType; id: string | null; label?: string | null }
  /** What changed, e.g. `{ from: 'student', to: 'instructor' }`. */
  details?: Record<string, unknown>
}

/** A member acting through a request (MemberIdentity, which carries its origin) or a service's own caller. */
export type ActingMember = Pick<MemberIdentity, 'userId' | 'name' | 'email' | 'isSuperadmin' | 'origin'>

export const cliActor: AuditActor = { kind: 'cli', userId: null, label: null, ip: null, userAgent: null }
export const systemActor: AuditActor = {
  kind: 'system',
  userId: null,
  label: null,
  ip: null,
  userAgent: null,
}

const USER_AGENT_MAX = 300
const IP_MAX = 64

/** The audit actor of a member, a command-line action or a job. */
export function auditActor(who: ActingMember | 'cli' | 'system'): AuditActor {
  if (who === 'cli') return cliActor
  if (who === 'system') return systemActor
  return {
    kind: who.isSuperadmin ? 'superadmin' : 'member',
    userId: who.userId,
    label: `${who.name} <${who.email}>`,
    ip: who.origin?.ip?.slice(0, IP_MAX) ?? null,
    userAgent: who.origin?.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
  }
}
