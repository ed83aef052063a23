import type { Context } from 'hono'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { parseJson } from '../../core/db/json.ts'
import type { FileStore } from '../../core/files/file-store.ts'
import { tokenFromAuthorization } from '../../core/http/authorization.ts'
import type { AppEnv, Identity } from '../../core/http/context.ts'
import { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from '../../core/http/errors.ts'
import { newId, randomSecret, sha256Hex } from '../../core/ids.ts'
import { type Auth, callAuthEndpoint } from './auth.ts'
import type { CfAccessVerifier } from './cf-access.ts'
import { CfAccessError, CfAccessUnavailableError } from './cf-access.ts'
import type { PasswordHasher } from './password-hasher.ts'
import { assertStrongPassword } from './password-strength.ts'
import * as repo from './repository.ts'
import * as limits from './sign-in-limits.ts'
import {
  DEFAULT_ABANDONED_DAYS,
  type LmsPersonRow,
  type Locale,
  type OrganisationRow,
  type Role,
} from './tables.ts'

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
  /** The students or instructors of a course, or of a step's course (the catalog knows); [] when none. */
  coursePeople: CoursePeoplePort
  /** The school's classes (catalog teams), for invitations that put a student in one. */
  classes: ClassesPort
}

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

/** Who performs an administrative action: a member's role, or the command line (acts as an owner). */
export type Actor = { role: Role | null; isSuperadmin: boolean } | 'cli'

const TOKEN_PREFIX = 'sil_'
const TOKEN_TOUCH_INTERVAL_MS = 60_000

function now(deps: IdentityDeps): string {
  return deps.clock.now().toISOString()
}

function actsAsOwner(actor: Actor): boolean {
  return actor === 'cli' || actor.isSuperadmin || actor.role === 'owner'
}

/** Only owners grant, change or remove the owner role. */
function assertMayManage(actor: Actor, ...rolesTouched: Role[]) {
  if (rolesTouched.includes('owner') && !actsAsOwner(actor)) {
    throw forbidden('Only an owner can grant, change or remove the owner role')
  }
}

// Organisations

export async function createOrganisation(
  deps: IdentityDeps,
  input: { slug: string; name: string; default_locale: Locale; timezone: string },
): Promise<OrganisationRow> {
  if (await repo.findOrganisationBySlug(deps.db, input.slug)) {
    throw conflict('slug_taken', `An organisation with the slug "${input.slug}" already exists`)
  }
  const at = now(deps)
  const row: OrganisationRow = {
    id: newId(),
    ...input,
    abandoned_days: DEFAULT_ABANDONED_DAYS,
    created_at: at,
    updated_at: at,
  }
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertOrganisation(trx, row)
    await deps.onOrganisationCreated?.(trx, row)
  })
  return row
}

export async function getOrganisation(deps: IdentityDeps, orgId: string): Promise<OrganisationRow> {
  const org = await repo.getOrganisation(deps.db, orgId)
  if (!org) throw notFound('Organisation')
  return org
}

export async function findOrganisationBySlug(deps: IdentityDeps, slug: string): Promise<OrganisationRow> {
  const org = await repo.findOrganisationBySlug(deps.db, slug)
  if (!org) throw notFound(`Organisation "${slug}"`)
  return org
}

export async function updateOrganisation(
  deps: IdentityDeps,
  orgId: string,
  patch: { name?: string; default_locale?: Locale; timezone?: string; abandoned_days?: number },
): Promise<OrganisationRow> {
  await repo.updateOrganisation(deps.db, orgId, { ...patch, updated_at: now(deps) })
  return getOrganisation(deps, orgId)
}

export async function listOrganisations(deps: IdentityDeps) {
  return repo.listOrganisations(deps.db)
}

// Members

function splitName(name: string): { first_name: string | null; last_name: string | null } {
  const parts = name.trim().split(/\s+/)
  if (parts.length < 2) return { first_name: parts[0] ?? null, last_name: null }
  return { first_name: parts[0] ?? null, last_name: parts.slice(1).join(' ') }
}

/** A student or instructor member gets their Unified.to-shaped profile, linked to the account. */
async function ensureProfile(
  db: Db,
  orgId: string,
  user: { id: string; name: string; email: string },
  role: Role,
  at: string,
) {
  const table = role === 'student' ? 'lms_student' : role === 'instructor' ? 'lms_instructor' : null
  if (!table) return
  if (await repo.findPersonOfUser(db, orgId, table, user.id)) return
  await repo.insertPerson(db, orgId, table, {
    id: newId(),
    user_id: user.id,
    name: user.name,
    ...splitName(user.name),
    emails_json: JSON.stringify([{ email: user.email, type: 'WORK' }]),
    telephones_json: '[]',
    address_json: null,
    image_url: null,
    title: null,
    raw_json: null,
    created_at: at,
    updated_at: at,
  })
}

async function createAccount(
  db: Db,
  input: { email: string; name: string; passwordHash: string | null },
  at: Date,
) {
  const userId = newId()
  await repo.insertUser(db, {
    id: userId,
    email: input.email.toLowerCase(),
    name: input.name,
    email_verified: 0,
    image: null,
    locale: null,
    last_org_id: null,
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
  })
  if (input.passwordHash) {
    await repo.insertPasswordAccount(db, { id: newId(), userId, passwordHash: input.passwordHash, at })
  }
  return userId
}

/**
 * Adds a member from the command line (the platform's operator), creating their account when the e-mail
 * has none (then a password is required). An existing account keeps its password. Schools add people over
 * HTTP by invitation only (`inviteMember`): an account of another school joins when its owner accepts.
 * The demo and test fixtures seed their known passwords with `passwordCheck: false`.
 */
export async function addMember(
  deps: IdentityDeps,
  orgId: string,
  _actor: 'cli',
  input: { email: string; name: string; role: Role; password?: string },
  options: { passwordCheck: boolean } = { passwordCheck: true },
) {
  const email = input.email.toLowerCase()
  const existing = await repo.findUserByEmail(deps.db, email)
  if (existing && (await repo.getMembership(deps.db, orgId, existing.id))) {
    throw conflict('already_member', `${email} is already a member of this organisation`)
  }
  if (!existing && !input.password) {
    throw badRequest(
      'password_required',
      'No account exists for this e-mail: give a password, or send an invitation',
    )
  }
  if (!existing && input.password && options.passwordCheck) {
    await assertStrongPassword(input.password, [input.name, email])
  }
  const passwordHash = !existing && input.password ? await deps.passwordHasher.hash(input.password) : null
  const at = deps.clock.now()
  const userId = await deps.db.transaction().execute(async (trx) => {
    const id = existing?.id ?? (await createAccount(trx, { email, name: input.name, passwordHash }, at))
    await repo.insertMembership(trx, orgId, {
      id: newId(),
      user_id: id,
      role: input.role,
      created_at: at.toISOString(),
      updated_at: at.toISOString(),
    })
    await ensureProfile(
      trx,
      orgId,
      { id, name: existing?.name ?? input.name, email },
      input.role,
      at.toISOString(),
    )
    return id
  })
  return { member: await getMember(deps, orgId, userId), accountCreated: !existing }
}

export async function listMembers(deps: IdentityDeps, orgId: string, filter: repo.MemberFilter) {
  return repo.listMembers(deps.db, orgId, filter)
}

export async function getMember(deps: IdentityDeps, orgId: string, userId: string) {
  const member = await repo.getMember(deps.db, orgId, userId)
  if (!member) throw notFound('Member')
  return member
}

/** Grants or withdraws platform administration (creating schools, acting in any school). */
export async function setSuperadmin(deps: IdentityDeps, email: string, superadmin: boolean) {
  const user = await repo.findUserByEmail(deps.db, email)
  if (!user) throw notFound(`Account ${email}`)
  await repo.setSuperadmin(deps.db, user.id, superadmin)
}

/** The account id of a member, found by e-mail. */
export async function memberUserId(deps: IdentityDeps, orgId: string, email: string): Promise<string> {
  const user = await repo.findUserByEmail(deps.db, email)
  if (!user || !(await repo.getMembership(deps.db, orgId, user.id))) throw notFound(`Member ${email}`)
  return user.id
}

async function assertNotLastOwner(deps: IdentityDeps, orgId: string, currentRole: Role) {
  if (currentRole === 'owner' && (await repo.countOwners(deps.db, orgId)) <= 1) {
    throw conflict('last_owner', 'An organisation keeps at least one owner: make someone else owner first')
  }
}

export async function changeMemberRole(
  deps: IdentityDeps,
  orgId: string,
  actor: Actor,
  userId: string,
  role: Role,
) {
  const member = await getMember(deps, orgId, userId)
  if (member.role === role) return member
  assertMayManage(actor, member.role, role)
  await assertNotLastOwner(deps, orgId, member.role)
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    await repo.updateMembershipRole(trx, orgId, userId, role, at)
    await ensureProfile(trx, orgId, { id: userId, name: member.name, email: member.email }, role, at)
  })
  return getMember(deps, orgId, userId)
}

/** Removes the membership and the member's API tokens there; the account and learning profile remain. */
export async function removeMember(deps: IdentityDeps, orgId: string, actor: Actor, userId: string) {
  const member = await getMember(deps, orgId, userId)
  assertMayManage(actor, member.role)
  await assertNotLastOwner(deps, orgId, member.role)
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    await repo.deleteMembership(trx, orgId, userId)
    for (const token of await repo.listApiTokens(trx, orgId, { userId })) {
      await repo.revokeApiToken(trx, orgId, token.id, at)
    }
  })
}

// Invitations

function invitationUrl(deps: IdentityDeps, secret: string): string {
  // The secret rides in the fragment, which browsers never send to servers or write to logs.
  return `${deps.publicUrl}/join#token=${secret}`
}

/** A new invitation row and its link (the secret is never stored, only its hash). */
export async function newInvitation(
  deps: IdentityDeps,
  invitedBy: string | null,
  input: { email: string; role: Role; expires_in_days: number; name?: string; class_id?: string | null },
) {
  const secret = randomSecret()
  const at = deps.clock.now()
  const row = {
    id: newId(),
    email: input.email.toLowerCase(),
    role: input.role,
    token_hash: await sha256Hex(secret),
    invited_by: invitedBy,
    expires_at: new Date(at.getTime() + input.expires_in_days * 86_400_000).toISOString(),
    accepted_at: null,
    accepted_by: null,
    revoked_at: null,
    created_at: at.toISOString(),
    name: input.name ?? null,
    team_id: input.class_id ?? null,
  }
  return { row, url: invitationUrl(deps, secret) }
}

function assertClassForStudent(role: Role, classId: string | null | undefined) {
  if (classId && role !== 'student') {
    throw badRequest('class_for_students_only', 'Only a student can be invited into a class')
  }
}

/**
 * Invites someone by e-mail. The answer is the same whether or not the address has an account elsewhere on
 * the platform: only the owner of that account can join it to the school, by accepting while signed in.
 * `name` is offered to the person if the invitation creates their account; a student invited with
 * `class_id` joins that class on accepting.
 */
export async function inviteMember(
  deps: IdentityDeps,
  orgId: string,
  actor: Actor,
  invitedBy: string | null,
  input: { email: string; role: Role; expires_in_days: number; name?: string; class_id?: string | null },
) {
  assertMayManage(actor, input.role)
  assertClassForStudent(input.role, input.class_id)
  const email = input.email.toLowerCase()
  const existing = await repo.findUserByEmail(deps.db, email)
  if (existing && (await repo.getMembership(deps.db, orgId, existing.id))) {
    throw conflict('already_member', `${email} is already a member of this organisation`)
  }
  const [cls] = input.class_id ? await deps.classes.byIds(orgId, [input.class_id]) : []
  if (input.class_id && !cls) throw notFound('Class')
  const { row, url } = await newInvitation(deps, invitedBy, input)
  await repo.insertInvitation(deps.db, orgId, row)
  return { ...row, class: cls ?? null, url }
}

export async function listInvitations(deps: IdentityDeps, orgId: string) {
  const rows = await repo.listPendingInvitations(deps.db, orgId, now(deps))
  const classIds = [...new Set(rows.flatMap((r) => (r.team_id ? [r.team_id] : [])))]
  const classes = new Map((await deps.classes.byIds(orgId, classIds)).map((c) => [c.id, c]))
  return rows.map((r) => ({ ...r, class: (r.team_id && classes.get(r.team_id)) || null }))
}

export async function revokeInvitation(
  deps: IdentityDeps,
  orgId: string,
  actor: Actor,
  invitationId: string,
) {
  const invitation = await repo.getInvitation(deps.db, orgId, invitationId)
  if (!invitation || invitation.revoked_at) throw notFound('Invitation')
  if (invitation.accepted_at) throw conflict('invitation_used', 'This invitation has already been accepted')
  assertMayManage(actor, invitation.role)
  await repo.revokeInvitation(deps.db, orgId, invitationId, now(deps))
}

async function usableInvitation(deps: IdentityDeps, secret: string) {
  const invitation = await repo.findInvitationByTokenHash(deps.db, await sha256Hex(secret))
  if (!invitation || invitation.revoked_at) {
    throw new AppError(
      404,
      'invitation_invalid',
      'This invitation link is not valid (it may have been revoked)',
    )
  }
  if (invitation.accepted_at) throw conflict('invitation_used', 'This invitation has already been used')
  if (invitation.expires_at <= now(deps)) {
    throw conflict('invitation_expired', 'This invitation has expired: ask for a new one')
  }
  const org = await getOrganisation(deps, invitation.org_id)
  return { invitation, org }
}

/**
 * What an invitation link is for. Whether an account already uses the address is not said (whoever holds
 * the link, the inviting admin too, would learn it); `signed_in_as_invitee` tells the account's owner,
 * signed in, that they can accept as they are.
 */
export async function previewInvitation(deps: IdentityDeps, secret: string, caller: Identity | null) {
  const { invitation, org } = await usableInvitation(deps, secret)
  return {
    organisation: { name: org.name, slug: org.slug },
    email: invitation.email,
    name: invitation.name,
    role: invitation.role,
    expires_at: invitation.expires_at,
    signed_in_as_invitee: caller?.email.toLowerCase() === invitation.email,
  }
}

/**
 * Joins the invited organisation. A new account needs a name and a strong password. An account that
 * already uses the address joins only when its owner accepts signed in (the link alone may be in other
 * hands, the inviting admin's for one); its password never changes. Single use, even under races.
 */
export async function acceptInvitation(
  deps: IdentityDeps,
  secret: string,
  caller: Identity | null,
  input: { name?: string; password?: string },
) {
  const { invitation, org } = await usableInvitation(deps, secret)
  const existing = await repo.findUserByEmail(deps.db, invitation.email)
  // A concurrent acceptance of this link may have just created the account: then the link is used, and
  // that is the answer (read after the account, the invitation shows it).
  if (existing && caller?.userId !== existing.id) await usableInvitation(deps, secret)
  if (existing && !caller) {
    throw unauthorized(
      'An account already uses this e-mail address: sign in with it, then accept the invitation',
      'sign_in_required',
    )
  }
  if (existing && caller?.userId !== existing.id) {
    throw forbidden(
      'This invitation is for another e-mail address: sign in with that address to accept it',
      'invitation_for_another_account',
    )
  }
  const name = input.name ?? invitation.name ?? undefined
  if (!existing && (!name || !input.password)) {
    throw badRequest(
      'account_details_required',
      'Give your name and choose a password to create your account',
    )
  }
  if (!existing && input.password) await assertStrongPassword(input.password, [name, invitation.email])
  const passwordHash = !existing && input.password ? await deps.passwordHasher.hash(input.password) : null
  const at = deps.clock.now()
  const userId = await deps.db.transaction().execute(async (trx) => {
    // Claim first: a concurrent acceptance waits on this row, then finds it used.
    if (!(await repo.claimInvitation(trx, org.id, invitation.id, at.toISOString()))) {
      throw conflict('invitation_used', 'This invitation has already been used')
    }
    const id =
      existing?.id ??
      (await createAccount(
        trx,
        { email: invitation.email, name: name ?? invitation.email, passwordHash },
        at,
      ))
    await repo.setInvitationAcceptedBy(trx, org.id, invitation.id, id)
    if (!(await repo.getMembership(trx, org.id, id))) {
      await repo.insertMembership(trx, org.id, {
        id: newId(),
        user_id: id,
        role: invitation.role,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      })
      await ensureProfile(
        trx,
        org.id,
        { id, name: existing?.name ?? name ?? invitation.email, email: invitation.email },
        invitation.role,
        at.toISOString(),
      )
    }
    if (invitation.team_id && invitation.role === 'student') {
      const student = await repo.findPersonOfUser(trx, org.id, 'lms_student', id)
      if (student) await deps.classes.join(trx, org.id, invitation.team_id, student.id)
    }
    await repo.setLastOrganisation(trx, id, org.id)
    if (caller?.sessionId && existing) await repo.setSessionOrganisation(trx, caller.sessionId, org.id)
    return id
  })
  return { org, userId, role: invitation.role, accountCreated: !existing, email: invitation.email }
}

// API tokens

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

// Authentication

async function identityFor(
  deps: IdentityDeps,
  user: { id: string; email: string; name: string; is_superadmin: number; last_org_id: string | null },
  preferredOrgId: string | null,
  via: Identity['via'],
): Promise<Identity> {
  const base = {
    userId: user.id,
    email: user.email,
    name: user.name,
    isSuperadmin: user.is_superadmin === 1,
    via,
  }
  for (const orgId of [preferredOrgId, user.last_org_id]) {
    if (!orgId) continue
    const membership = await repo.getMembership(deps.db, orgId, user.id)
    if (membership) return { ...base, orgId, role: membership.role }
    if (base.isSuperadmin && (await repo.getOrganisation(deps.db, orgId)))
      return { ...base, orgId, role: 'owner' }
  }
  const [first] = await repo.listMembershipsOfUser(deps.db, user.id)
  return first ? { ...base, orgId: first.id, role: first.role } : { ...base, orgId: null, role: null }
}

async function authenticateToken(deps: IdentityDeps, token: string): Promise<Identity> {
  const row = token.startsWith(TOKEN_PREFIX)
    ? await repo.findApiTokenByHash(deps.db, await sha256Hex(token))
    : undefined
  const at = deps.clock.now()
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= at.toISOString())) {
    throw unauthorized('This API token is not valid (unknown, revoked or expired)', 'invalid_token')
  }
  const [user, membership] = await Promise.all([
    repo.getUser(deps.db, row.user_id),
    repo.getMembership(deps.db, row.org_id, row.user_id),
  ])
  if (!user || !membership)
    throw unauthorized('This API token is not valid (unknown, revoked or expired)', 'invalid_token')
  if (!row.last_used_at || at.getTime() - Date.parse(row.last_used_at) > TOKEN_TOUCH_INTERVAL_MS) {
    await repo.touchApiToken(deps.db, row.org_id, row.id, at.toISOString())
  }
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    isSuperadmin: user.is_superadmin === 1,
    orgId: row.org_id,
    role: membership.role,
    via: 'token',
    tokenId: row.id,
  }
}

async function authenticateCfAccess(deps: IdentityDeps, verify: CfAccessVerifier, assertion: string) {
  let email: string
  try {
    email = (await verify(assertion)).email
  } catch (err) {
    if (err instanceof CfAccessError) throw unauthorized(err.message, 'invalid_access_token')
    if (err instanceof CfAccessUnavailableError)
      throw new AppError(503, 'access_keys_unavailable', err.message)
    throw err
  }
  const user = await repo.findUserByEmail(deps.db, email)
  if (!user)
    throw unauthorized(
      'No Sillon account uses the e-mail of this Cloudflare Access identity',
      'unknown_account',
    )
  return identityFor(deps, user, null, 'cf-access')
}

/**
 * Resolves the caller: an API token (`Authorization: Bearer <token>`, or the token alone), a Cloudflare
 * Access assertion when configured, or the session cookie. A credential that is present but invalid is an
 * error, not anonymity.
 */
export async function authenticate(deps: IdentityDeps, c: Context<AppEnv>): Promise<Identity | null> {
  const authorization = c.req.header('authorization')
  if (authorization) {
    const token = tokenFromAuthorization(authorization)
    if (!token) throw unauthorized('Use "Authorization: Bearer <token>"', 'invalid_token')
    return authenticateToken(deps, token)
  }
  const assertion = c.req.header('cf-access-jwt-assertion')
  if (assertion && deps.cfAccess) return authenticateCfAccess(deps, deps.cfAccess, assertion)
  if (!c.req.header('cookie')) return null
  const result = await deps.auth.api.getSession({
    headers: c.req.raw.headers,
    query: { disableRefresh: false },
  })
  if (!result) return null
  const user = await repo.getUser(deps.db, result.user.id)
  if (!user) return null
  const identity = await identityFor(deps, user, result.session.activeOrgId ?? null, 'session')
  return { ...identity, sessionId: result.session.id }
}

export async function describeMe(deps: IdentityDeps, identity: Identity) {
  const user = await repo.getUser(deps.db, identity.userId)
  if (!user) throw unauthorized()
  const organisations = await repo.listMembershipsOfUser(deps.db, identity.userId)
  const org = identity.orgId ? await repo.getOrganisation(deps.db, identity.orgId) : undefined
  const [student, instructor] = identity.orgId
    ? await Promise.all([
        repo.findPersonOfUser(deps.db, identity.orgId, 'lms_student', identity.userId),
        repo.findPersonOfUser(deps.db, identity.orgId, 'lms_instructor', identity.userId),
      ])
    : [undefined, undefined]
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      locale: user.locale,
      image: user.image,
      is_superadmin: user.is_superadmin === 1,
    },
    organisation: org ?? null,
    role: identity.role,
    student_id: student?.id ?? null,
    instructor_id: instructor?.id ?? null,
    organisations,
    auth_method: identity.via,
  }
}

/** Makes another organisation the active one for this browser session and the next sign-ins. */
export async function switchOrganisation(
  deps: IdentityDeps,
  identity: Identity,
  orgId: string,
): Promise<Identity> {
  if (identity.via === 'token') {
    throw badRequest(
      'token_bound',
      'An API token belongs to one organisation; create a token in the other one',
    )
  }
  const membership = await repo.getMembership(deps.db, orgId, identity.userId)
  // Organisations the caller does not belong to do not exist for them.
  if (!membership && !(identity.isSuperadmin && (await repo.getOrganisation(deps.db, orgId)))) {
    throw notFound('Organisation')
  }
  await repo.setLastOrganisation(deps.db, identity.userId, orgId)
  if (identity.sessionId) await repo.setSessionOrganisation(deps.db, identity.sessionId, orgId)
  return { ...identity, orgId, role: membership?.role ?? 'owner' }
}

/** Changes the caller's own name or interface language. */
export async function updateProfile(
  deps: IdentityDeps,
  identity: Identity,
  patch: { name?: string; locale?: Locale | null },
) {
  await repo.updateUser(deps.db, identity.userId, patch, now(deps))
  return describeMe(deps, identity)
}

/**
 * Changes the caller's password after checking the current one (through better-auth, which limits attempts).
 * Signing out other sessions replaces this session's cookie too.
 */
export async function changePassword(
  deps: IdentityDeps,
  c: Context<AppEnv>,
  identity: Identity,
  input: { current_password: string; new_password: string; sign_out_other_sessions: boolean },
): Promise<string[]> {
  if (identity.via !== 'session') {
    throw badRequest('session_required', 'Change your password from a signed-in browser session')
  }
  await assertStrongPassword(input.new_password, [identity.name, identity.email])
  const response = await callAuthEndpoint(deps.auth, '/change-password', c.req.raw, c.var.clientIp, {
    currentPassword: input.current_password,
    newPassword: input.new_password,
    revokeOtherSessions: input.sign_out_other_sessions,
  })
  if (response.status === 429) {
    throw new AppError(429, 'rate_limited', 'Too many attempts: wait a minute and try again')
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: string }
    if (body.code === 'CREDENTIAL_ACCOUNT_NOT_FOUND') {
      throw badRequest('no_password', 'This account signs in without a password (Cloudflare Access)')
    }
    throw badRequest('invalid_password', 'The current password is not right')
  }
  return response.headers.getSetCookie()
}

const authFailure: Record<number, [string, string]> = {
  401: ['invalid_credentials', 'Invalid e-mail or password'],
  403: ['forbidden', 'Sign-in refused'],
}

/** Opens a session through better-auth's sign-in endpoint; its Set-Cookie headers and session token. */
async function openSession(
  deps: IdentityDeps,
  c: Context<AppEnv>,
  credentials: { email: string; password: string },
) {
  const response = await callAuthEndpoint(deps.auth, '/sign-in/email', c.req.raw, c.var.clientIp, {
    ...credentials,
    rememberMe: true,
  })
  if (!response.ok) return { ok: false as const, status: response.status }
  const body = (await response.json()) as { token: string; user: { id: string } }
  return {
    ok: true as const,
    token: body.token,
    userId: body.user.id,
    setCookies: response.headers.getSetCookie(),
  }
}

/**
 * Signs in with e-mail and password; returns better-auth's Set-Cookie headers for the session. Failed
 * attempts are limited per account and per client address (see sign-in-limits.ts); successes are free.
 */
export async function login(
  deps: IdentityDeps,
  c: Context<AppEnv>,
  credentials: { email: string; password: string },
) {
  const attempt = await limits.beginSignIn(
    deps.db,
    deps.signInLimits,
    credentials.email,
    c.var.clientIp,
    deps.clock.now().getTime(),
  )
  let session: Awaited<ReturnType<typeof openSession>>
  try {
    session = await openSession(deps, c, credentials)
  } catch (err) {
    await limits.signInAbandoned(deps.db, attempt)
    throw err
  }
  if (!session.ok) {
    if (session.status === 401)
      await limits.signInFailed(deps.db, deps.signInLimits, deps.clock.now().getTime())
    else await limits.signInAbandoned(deps.db, attempt)
    const [code, message] = authFailure[session.status] ?? authFailure[401]!
    throw new AppError(session.status === 403 ? 403 : 401, code, message)
  }
  await limits.signInSucceeded(deps.db, attempt)
  return sessionIdentity(deps, session)
}

/**
 * Opens the session of an account that this request has just created with this password. It does not go
 * through the sign-in limits: the password was chosen here, not guessed, and accepting an invitation
 * answers its own outcome (a limited address must not turn a created account into a 429). Null if
 * better-auth refuses, in which case the person signs in as usual.
 */
export async function signInCreatedAccount(
  deps: IdentityDeps,
  c: Context<AppEnv>,
  credentials: { email: string; password: string },
) {
  const session = await openSession(deps, c, credentials)
  return session.ok ? sessionIdentity(deps, session) : null
}

async function sessionIdentity(
  deps: IdentityDeps,
  session: { token: string; userId: string; setCookies: string[] },
) {
  const user = await repo.getUser(deps.db, session.userId)
  if (!user) throw unauthorized()
  const identity = await identityFor(deps, user, null, 'session')
  if (identity.orgId) await repo.setOrganisationOfSessionToken(deps.db, session.token, identity.orgId)
  return { identity, setCookies: session.setCookies }
}

export async function logout(deps: IdentityDeps, c: Context<AppEnv>) {
  const response = await callAuthEndpoint(deps.auth, '/sign-out', c.req.raw, c.var.clientIp, {})
  return response.headers.getSetCookie()
}

// Unified.to LMS people (lms_student, lms_instructor)

type PersonInput = {
  name?: string | null
  first_name?: string | null
  last_name?: string | null
  emails?: { email: string; type?: string }[]
  telephones?: { telephone: string; type?: string }[]
  address?: Record<string, string | undefined> | null
  image_url?: string | null
  title?: string | null
  raw?: Record<string, unknown> | null
}

function toWirePerson(row: LmsPersonRow) {
  return {
    id: row.id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    user_id: row.user_id,
    name: row.name,
    first_name: row.first_name,
    last_name: row.last_name,
    emails: parseJson<{ email: string; type?: 'WORK' | 'HOME' | 'OTHER' }[]>(row.emails_json, []),
    telephones: parseJson<{ telephone: string; type?: 'WORK' | 'HOME' | 'OTHER' | 'FAX' | 'MOBILE' }[]>(
      row.telephones_json,
      [],
    ),
    address: parseJson<Record<string, string> | null>(row.address_json, null),
    image_url: row.image_url,
    title: row.title,
    raw: parseJson<Record<string, unknown> | null>(row.raw_json, null),
  }
}

function personColumns(input: PersonInput) {
  const columns: Partial<Omit<LmsPersonRow, 'id' | 'org_id' | 'user_id' | 'created_at'>> = {}
  if (input.name !== undefined) columns.name = input.name
  if (input.first_name !== undefined) columns.first_name = input.first_name
  if (input.last_name !== undefined) columns.last_name = input.last_name
  if (input.emails !== undefined) columns.emails_json = JSON.stringify(input.emails)
  if (input.telephones !== undefined) columns.telephones_json = JSON.stringify(input.telephones)
  if (input.address !== undefined) columns.address_json = input.address ? JSON.stringify(input.address) : null
  if (input.image_url !== undefined) columns.image_url = input.image_url
  if (input.title !== undefined) columns.title = input.title
  if (input.raw !== undefined) columns.raw_json = input.raw ? JSON.stringify(input.raw) : null
  return columns
}

export type PersonListFilter = Omit<repo.PersonFilter, 'ids'> & { courseId?: string; classId?: string }

/** Lists profiles; `courseId` / `classId` keep those of a course, or of a step's course. */
export async function listPersons(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  filter: PersonListFilter,
) {
  const { courseId, classId, ...rest } = filter
  const ids = courseId || classId ? await deps.coursePeople(orgId, table, { courseId, classId }) : undefined
  return (await repo.listPersons(deps.db, orgId, table, { ...rest, ids })).map(toWirePerson)
}

export async function getPerson(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  personId: string,
) {
  const row = await repo.getPerson(deps.db, orgId, table, personId)
  if (!row) throw notFound(table === 'lms_student' ? 'Student' : 'Instructor')
  return toWirePerson(row)
}

export async function createPerson(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  input: PersonInput,
) {
  const at = now(deps)
  const name = input.name ?? ([input.first_name, input.last_name].filter(Boolean).join(' ') || null)
  const id = newId()
  await repo.insertPerson(deps.db, orgId, table, {
    id,
    user_id: null,
    name,
    first_name: null,
    last_name: null,
    emails_json: '[]',
    telephones_json: '[]',
    address_json: null,
    image_url: null,
    title: null,
    raw_json: null,
    ...personColumns(input),
    created_at: at,
    updated_at: at,
  })
  return getPerson(deps, orgId, table, id)
}

export async function updatePerson(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  personId: string,
  input: PersonInput,
) {
  await getPerson(deps, orgId, table, personId)
  await repo.updatePerson(deps.db, orgId, table, personId, { ...personColumns(input), updated_at: now(deps) })
  return getPerson(deps, orgId, table, personId)
}

/** Names of the given students or instructors of the organisation; ids that are not theirs are absent. */
export async function peopleByIds(deps: IdentityDeps, orgId: string, table: repo.PersonTable, ids: string[]) {
  return repo.findPersons(deps.db, orgId, table, [...new Set(ids)])
}

/** The caller's student and instructor profiles in the organisation, when they have them. */
export async function profilesOfUser(deps: IdentityDeps, orgId: string, userId: string) {
  const [student, instructor] = await Promise.all([
    repo.findPersonOfUser(deps.db, orgId, 'lms_student', userId),
    repo.findPersonOfUser(deps.db, orgId, 'lms_instructor', userId),
  ])
  return { studentId: student?.id ?? null, instructorId: instructor?.id ?? null }
}

/** The student profile id of each of these users in the organisation, by user id (absent when none). */
export async function studentsOfUsers(deps: IdentityDeps, orgId: string, userIds: string[]) {
  const rows = await repo.findPersonsOfUsers(deps.db, orgId, 'lms_student', [...new Set(userIds)])
  return new Map(rows.map((r) => [r.user_id as string, r.id]))
}

/** Deletes a profile, unless it is the profile of a current member in that role (remove the member first). */
export async function deletePerson(
  deps: IdentityDeps,
  orgId: string,
  table: repo.PersonTable,
  personId: string,
) {
  const row = await repo.getPerson(deps.db, orgId, table, personId)
  if (!row) throw notFound(table === 'lms_student' ? 'Student' : 'Instructor')
  if (row.user_id) {
    const membership = await repo.getMembership(deps.db, orgId, row.user_id)
    const role = table === 'lms_student' ? 'student' : 'instructor'
    if (membership?.role === role) {
      throw conflict('linked_member', `This profile belongs to a current ${role}: remove the member first`)
    }
  }
  await repo.deletePerson(deps.db, orgId, table, personId)
}
