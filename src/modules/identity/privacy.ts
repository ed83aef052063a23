import type { Db } from '../../core/db/database.ts'
import { conflict, notFound } from '../../core/http/errors.ts'
import type { PrivacyPort, PrivacySubject, Pseudonyms } from '../../core/privacy/port.ts'
import { rowsAbout } from '../../core/privacy/port.ts'
import type { Actor, IdentityDeps } from './deps.ts'
import { assertMayManage } from './members/service.ts'
import { pictureFileOf } from './pictures.ts'
import type { PersonTable } from './repository.ts'
import * as repo from './repository.ts'
import { accountKey, resetKey } from './sign-in-limits.ts'

// Accounts, memberships, profiles, sessions, invitations and tokens. Erasing a person in a school removes
// their membership, tokens and invitations there and replaces their lms_student / lms_instructor profile by
// a pseudonymous one (no name, e-mail, picture...), which keeps their enrolments and learning history
// counted under the new id. The account itself is deleted when it belongs to no other school (and is not
// a platform administrator's): then its sessions, password and sign-in records go with it. An account
// that another school still has keeps its name and e-mail, which that school needs; nothing of it points
// to this school any more.

const PROFILE_PERSONAL = [
  'name',
  'first_name',
  'last_name',
  'emails_json',
  'address_json',
  'telephones_json',
  'image_url',
  'title',
  'raw_json',
]

/** The person with this account in the school, or null when they are neither a member nor have a profile there. */
export async function privacySubject(db: Db, orgId: string, userId: string): Promise<PrivacySubject | null> {
  const [user, membership, student, instructor] = await Promise.all([
    repo.getUser(db, userId),
    repo.getMembership(db, orgId, userId),
    repo.findPersonOfUser(db, orgId, 'lms_student', userId),
    repo.findPersonOfUser(db, orgId, 'lms_instructor', userId),
  ])
  if (!user || (!membership && !student && !instructor)) return null
  return {
    orgId,
    userId,
    name: user.name,
    email: user.email,
    locale: user.locale,
    membershipId: membership?.id ?? null,
    role: membership?.role ?? null,
    studentId: student?.id ?? null,
    instructorId: instructor?.id ?? null,
  }
}

/** The accounts that left the school but whose profile it keeps: what retention erases in time. */
export async function formerMembers(db: Db, orgId: string): Promise<string[]> {
  const former = (table: PersonTable) =>
    db
      .selectFrom(table)
      .select('user_id')
      .where('org_id', '=', orgId)
      .where('user_id', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('memberships')
              .select('memberships.id')
              .where('memberships.org_id', '=', orgId)
              .whereRef('memberships.user_id', '=', `${table}.user_id`),
          ),
        ),
      )
      .execute()
  const rows = [...(await former('lms_student')), ...(await former('lms_instructor'))]
  return [...new Set(rows.flatMap((r) => (r.user_id ? [r.user_id] : [])))]
}

/** The person with this e-mail in the school, for the command line. */
export async function privacySubjectByEmail(deps: IdentityDeps, orgId: string, email: string) {
  const user = await repo.findUserByEmail(deps.db, email)
  const subject = user ? await privacySubject(deps.db, orgId, user.id) : null
  if (!subject) throw notFound(`Member ${email}`)
  return subject
}

/**
 * The person an administrator asks to erase: 404 outside the school, 403 for an owner unless the caller
 * acts as one. The last owner is refused inside the erasure's transaction (`erasePerson`).
 */
export async function erasureSubject(deps: IdentityDeps, orgId: string, actor: Actor, userId: string) {
  const subject = await privacySubject(deps.db, orgId, userId)
  if (!subject) throw notFound('Member')
  if (subject.role) assertMayManage(actor, subject.role)
  return subject
}

async function copyProfileUnderPseudonym(
  trx: Db,
  subject: PrivacySubject,
  table: PersonTable,
  id: string | null,
  pseudonyms: Pseudonyms,
) {
  const pseudonym = id ? pseudonyms.get(id) : undefined
  const row = id ? await repo.getPerson(trx, subject.orgId, table, id) : undefined
  if (!row || !pseudonym) return
  // Every declared personal field is emptied: lists (`emails_json`, `telephones_json`) stay valid empty lists.
  const blanked = Object.fromEntries(PROFILE_PERSONAL.map((c) => [c, c.endsWith('s_json') ? '[]' : null]))
  await repo.insertPerson(trx, subject.orgId, table, { ...row, ...blanked, id: pseudonym, user_id: null })
}

/** Whether the account stays after leaving this school: another school has it, or it runs the platform. */
async function accountStays(trx: Db, userId: string): Promise<boolean> {
  const user = await repo.getUser(trx, userId)
  if (!user || Number(user.is_superadmin) === 1) return true
  return (await repo.listMembershipsOfUser(trx, userId)).length > 0
}

export const identityPrivacy: PrivacyPort = {
  module: 'identity',
  declares: [
    {
      table: 'users',
      subjectColumns: ['id', 'last_org_id'],
      personalColumns: ['name', 'email', 'image', 'locale'],
      note: 'The account. Deleted when it belongs to no other school; kept, unchanged, for the other schools otherwise.',
    },
    {
      table: 'auth_accounts',
      subjectColumns: ['user_id', 'account_id'],
      personalColumns: ['password', 'access_token', 'refresh_token', 'id_token'],
      note: 'Sign-in methods (password hash). Deleted with the account.',
    },
    {
      table: 'sessions',
      subjectColumns: ['user_id', 'active_org_id'],
      personalColumns: ['ip_address', 'user_agent', 'token'],
      note: 'Signed-in browsers. Deleted with the account; a kept account forgets this school as active one.',
    },
    {
      table: 'auth_verifications',
      subjectColumns: ['value'],
      personalColumns: ['identifier'],
      note: 'Pending password resets and e-mail checks. Deleted with the account.',
    },
    {
      table: 'sign_in_failures',
      subjectColumns: [],
      personalColumns: ['key'],
      note: "Failed sign-ins per e-mail or client address (a short window). The e-mail's row goes with the account; an address cannot be tied to one person and expires with its window.",
    },
    {
      table: 'auth_rate_limits',
      subjectColumns: [],
      personalColumns: ['key'],
      note: 'Request counts per client address and path (a short window): not tied to a person, expires.',
    },
    {
      table: 'memberships',
      subjectColumns: ['id', 'user_id'],
      personalColumns: [],
      note: 'Who belongs to the school, with which role. Deleted.',
    },
    {
      table: 'invitations',
      subjectColumns: ['invited_by', 'accepted_by'],
      personalColumns: ['email', 'name'],
      note: 'Invitations to the person are deleted; those they sent forget who sent them.',
    },
    {
      table: 'api_tokens',
      subjectColumns: ['user_id'],
      personalColumns: ['name'],
      note: "The person's API tokens in the school. Deleted.",
    },
    {
      table: 'lms_student',
      subjectColumns: ['id', 'user_id'],
      personalColumns: PROFILE_PERSONAL,
      note: 'The student profile (Unified.to shape). Replaced by a pseudonymous profile with no personal field, so that enrolments and learning history still count.',
    },
    {
      table: 'lms_instructor',
      subjectColumns: ['id', 'user_id'],
      personalColumns: PROFILE_PERSONAL,
      note: 'The instructor profile. Replaced by a pseudonymous profile with no personal field.',
    },
  ],

  async exportPerson(db, subject) {
    const user = await repo.getUser(db, subject.userId)
    const sessions = await db
      .selectFrom('sessions')
      .select(['created_at', 'updated_at', 'expires_at', 'ip_address', 'user_agent'])
      .where('user_id', '=', subject.userId)
      .where('active_org_id', '=', subject.orgId)
      .execute()
    const invitations = await db
      .selectFrom('invitations')
      .select(['id', 'email', 'name', 'role', 'created_at', 'expires_at', 'accepted_at', 'revoked_at'])
      .where('org_id', '=', subject.orgId)
      .where((eb) =>
        eb.or([
          eb('accepted_by', '=', subject.userId),
          eb(eb.fn('lower', ['email']), '=', subject.email.toLowerCase()),
        ]),
      )
      .execute()
    return {
      account: user && {
        id: user.id,
        name: user.name,
        email: user.email,
        image: user.image,
        locale: user.locale,
        created_at: user.created_at,
        updated_at: user.updated_at,
      },
      membership: (await rowsAbout(db, subject.orgId, 'memberships', 'user_id', subject.userId))[0] ?? null,
      student_profile:
        (await rowsAbout(db, subject.orgId, 'lms_student', 'id', subject.studentId))[0] ?? null,
      instructor_profile:
        (await rowsAbout(db, subject.orgId, 'lms_instructor', 'id', subject.instructorId))[0] ?? null,
      sessions,
      invitations,
      api_tokens: await rowsAbout(db, subject.orgId, 'api_tokens', 'user_id', subject.userId, ['token_hash']),
    }
  },

  async erasePerson(trx, subject, pseudonyms) {
    const { orgId, userId } = subject
    if (subject.role === 'owner' && (await repo.countOwners(trx, orgId)) <= 1) {
      throw conflict('last_owner', 'An organisation keeps at least one owner: make someone else owner first')
    }
    await copyProfileUnderPseudonym(trx, subject, 'lms_student', subject.studentId, pseudonyms)
    await copyProfileUnderPseudonym(trx, subject, 'lms_instructor', subject.instructorId, pseudonyms)
    await trx
      .deleteFrom('invitations')
      .where('org_id', '=', orgId)
      .where((eb) =>
        eb.or([
          eb('accepted_by', '=', userId),
          eb(eb.fn('lower', ['email']), '=', subject.email.toLowerCase()),
        ]),
      )
      .execute()
    await trx
      .updateTable('invitations')
      .set({ invited_by: null })
      .where('org_id', '=', orgId)
      .where('invited_by', '=', userId)
      .execute()
    await trx.deleteFrom('api_tokens').where('org_id', '=', orgId).where('user_id', '=', userId).execute()
    await repo.deleteMembership(trx, orgId, userId)
    await trx
      .updateTable('sessions')
      .set({ active_org_id: null })
      .where('user_id', '=', userId)
      .where('active_org_id', '=', orgId)
      .execute()
    await trx
      .updateTable('users')
      .set({ last_org_id: null })
      .where('id', '=', userId)
      .where('last_org_id', '=', orgId)
      .execute()
    return undefined
  },

  // The old profiles go once the other modules' rows (enrolments, classes) point to the pseudonymous ones.
  async finishErasure(trx, subject) {
    if (subject.studentId) await repo.deletePerson(trx, subject.orgId, 'lms_student', subject.studentId)
    if (subject.instructorId)
      await repo.deletePerson(trx, subject.orgId, 'lms_instructor', subject.instructorId)
    if (await accountStays(trx, subject.userId)) return undefined
    const user = await repo.getUser(trx, subject.userId)
    const picture = user ? pictureFileOf(user) : null
    await trx
      .deleteFrom('sign_in_failures')
      .where('key', 'in', [accountKey(subject.email), resetKey(subject.userId)])
      .execute()
    await trx
      .deleteFrom('auth_verifications')
      .where((eb) => eb.or([eb('value', '=', subject.userId), eb('identifier', '=', subject.email)]))
      .execute()
    // Sign-in methods, sessions and any tokens left go with it (ON DELETE CASCADE).
    await trx.deleteFrom('users').where('id', '=', subject.userId).execute()
    return { filesToDelete: picture ? [picture] : [] }
  },
}

/** Whether erasing left the account in place (another school, or the platform, still has it). */
export async function accountExists(db: Db, userId: string): Promise<boolean> {
  return (await repo.getUser(db, userId)) !== undefined
}
