import type { Generated } from 'kysely'
import type { Role } from '../../core/http/roles.ts'

export { type Role, roles } from '../../core/http/roles.ts'

export const locales = ['fr', 'en'] as const
export type Locale = (typeof locales)[number]

/** Until a school says otherwise: after two weeks without activity, an unfinished course is abandoned. */
export const DEFAULT_ABANDONED_DAYS = 14

export type OrganisationRow = {
  id: string
  slug: string
  name: string
  default_locale: Locale
  timezone: string
  /** Days without activity after which a student who has not finished an open course has abandoned it. */
  abandoned_days: number
  /** Whether students may write to one another (messaging), 0 or 1: off unless the school turns it on. */
  student_messaging: number
  created_at: string
  updated_at: string
}

/** better-auth's user model, plus Sillon's own columns (which better-auth never writes). */
export type UserRow = {
  id: string
  name: string
  email: string
  email_verified: Generated<boolean | number>
  image: string | null
  locale: Locale | null
  is_superadmin: Generated<number>
  last_org_id: string | null
  created_at: Date | string
  updated_at: Date | string
}

type AuthAccountRow = {
  id: string
  account_id: string
  provider_id: string
  user_id: string
  access_token: string | null
  refresh_token: string | null
  id_token: string | null
  access_token_expires_at: Date | string | null
  refresh_token_expires_at: Date | string | null
  scope: string | null
  password: string | null
  created_at: Date | string
  updated_at: Date | string
}

type SessionRow = {
  id: string
  expires_at: Date | string
  token: string
  created_at: Date | string
  updated_at: Date | string
  ip_address: string | null
  user_agent: string | null
  user_id: string
  active_org_id: string | null
}

type AuthVerificationRow = {
  id: string
  identifier: string
  value: string
  expires_at: Date | string
  created_at: Date | string
  updated_at: Date | string
}

type AuthRateLimitRow = {
  id: string
  key: string
  count: number
  last_request: number | string
}

export type MembershipRow = {
  id: string
  org_id: string
  user_id: string
  role: Role
  created_at: string
  updated_at: string
}

export type InvitationRow = {
  id: string
  org_id: string
  email: string
  role: Role
  token_hash: string
  invited_by: string | null
  expires_at: string
  accepted_at: string | null
  accepted_by: string | null
  revoked_at: string | null
  created_at: string
  /** The name the administrator gave, offered when the invitation creates an account. */
  name: string | null
  /** The class (catalog team) a student joins on accepting; null once that class is deleted. */
  team_id: string | null
}

/** Failed sign-ins under one key (an account's e-mail or a client address) since `window_start` (ms). */
type SignInFailureRow = {
  key: string
  count: number
  window_start: number
}

export type ApiTokenRow = {
  id: string
  org_id: string
  user_id: string
  name: string
  token_hash: string
  token_prefix: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
  created_at: string
}

/** Unified.to's LMS person shape, shared by lms_student and lms_instructor. */
export type LmsPersonRow = {
  id: string
  org_id: string
  user_id: string | null
  name: string | null
  first_name: string | null
  last_name: string | null
  emails_json: string
  address_json: string | null
  telephones_json: string
  image_url: string | null
  title: string | null
  raw_json: string | null
  created_at: string
  updated_at: string
}

export type IdentityTables = {
  // The database fills in a school's abandonment setting (DEFAULT_ABANDONED_DAYS) when a row names none.
  organisations: Omit<OrganisationRow, 'abandoned_days' | 'student_messaging'> & {
    abandoned_days: Generated<number>
    student_messaging: Generated<number>
  }
  users: UserRow
  auth_accounts: AuthAccountRow
  sessions: SessionRow
  auth_verifications: AuthVerificationRow
  auth_rate_limits: AuthRateLimitRow
  memberships: MembershipRow
  invitations: InvitationRow
  sign_in_failures: SignInFailureRow
  api_tokens: ApiTokenRow
  lms_student: LmsPersonRow
  lms_instructor: LmsPersonRow
}
