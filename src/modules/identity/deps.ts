import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import type { FileStore } from '../../core/files/file-store.ts'
import type { ActingMember } from '../audit/index.ts'
import type { Auth } from './auth.ts'
import type { CfAccessVerifier } from './cf-access.ts'
import type { PasswordHasher } from './password-hasher.ts'
import type * as repo from './repository.ts'
import type * as limits from './sign-in-limits.ts'
import type { Locale, OrganisationRow, Role } from './tables.ts'

// Why organisations, memberships, invitations and API tokens are Sillon's own rather than better-auth's
// organization and api-key plugins: a plugin invitation can only be accepted by an existing, signed-in
// account (ours creates the account), its keys belong to a user *or* an organisation (ours belong to
// both), and every tenant row here carries `org_id` so that every query is scoped the same way.

export type IdentityDeps = {
  db: Db
  clock: Clock
  auth: Auth
  /** The one better-auth was given (createAuth), for the accounts Sillon creates itself. */
  passwordHasher: PasswordHasher
  publicUrl: string
  /** Where people's pictures are kept. */
  files: FileStore
  /** The largest upload the server accepts; pictures have a smaller limit of their own. */
  uploadMaxBytes: number
  cfAccess: CfAccessVerifier | null
  signInLimits: limits.SignInLimits
  /** Gives a new school what other modules start it with (default badges), in its creating transaction. */
  onOrganisationCreated?: (db: Db, org: OrganisationRow) => Promise<void>
  /** Lets other modules react to a member's removal from a school (messaging: they leave their conversations), in its transaction. */
  onMemberRemoved?: (db: Db, orgId: string, userId: string) => Promise<void>
  /** The students or instructors of a course, or of a step's course (the catalog knows); [] when none. */
  coursePeople: CoursePeoplePort
  /** The school's classes (catalog teams), for invitations that put a student in one. */
  classes: ClassesPort
  /**
   * Queues an e-mail in the outbox (notifications), in `db`: pass the transaction of what causes it. Without
   * it (tools that send nothing), account e-mails are not written.
   */
  queueMail?: QueueMailPort
}

/** An account e-mail: a template of the mail layer and its plain-text params. */
export type AccountMail = {
  /** The school it is about (its mail log shows it); null for an account's own e-mails. */
  orgId: string | null
  /** The recipient's account, when they have one. */
  userId: string | null
  to: string
  locale: Locale
  template: 'account.invitation' | 'account.password-reset' | 'account.password-changed'
  params: Record<string, string | number>
  /** Idempotency: the same key never queues a second e-mail. */
  key?: string
}

type QueueMailPort = (db: Db, mail: AccountMail) => Promise<void>

/** A class as identity sees it: the catalog's team, by id and name. */
export type ClassRef = { id: string; name: string }

/**
 * What identity needs of the catalog's classes. `create` and `join` run inside the caller's transaction
 * (`db`), so that an import or an acceptance writes everything or nothing.
 */
type ClassesPort = {
  /** The classes with these ids. */
  byIds(orgId: string, ids: string[]): Promise<ClassRef[]>
  /** The classes whose names match these, ignoring case. */
  byNames(orgId: string, names: string[]): Promise<ClassRef[]>
  create(db: Db, orgId: string, names: string[]): Promise<ClassRef[]>
  /** Puts a student in a class; a class deleted meanwhile is skipped. */
  join(db: Db, orgId: string, classId: string, studentId: string): Promise<void>
}

type CoursePeoplePort = (
  orgId: string,
  table: repo.PersonTable,
  of: { courseId?: string; classId?: string },
) => Promise<string[]>

/**
 * Who performs an administrative action: a member (their role decides, the audit log records who and from
 * where), or the command line (acts as an owner).
 */
export type Actor = (ActingMember & { role: Role | null }) | 'cli'

export function now(deps: IdentityDeps): string {
  return deps.clock.now().toISOString()
}
