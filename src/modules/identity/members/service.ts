import type { Db } from '../../../core/db/database.ts'
import { badRequest, conflict, forbidden, notFound } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import { auditActor, cliActor, recordAudit } from '../../audit/index.ts'
import { type Actor, type IdentityDeps, now } from '../deps.ts'
import { assertStrongPassword } from '../password-strength.ts'
import * as repo from '../repository.ts'
import type { Role } from '../tables.ts'

function actsAsOwner(actor: Actor): boolean {
  return actor === 'cli' || actor.isSuperadmin || actor.role === 'owner'
}

/** Only owners grant, change or remove the owner role. */
export function assertMayManage(actor: Actor, ...rolesTouched: Role[]) {
  if (rolesTouched.includes('owner') && !actsAsOwner(actor)) {
    throw forbidden('Only an owner can grant, change or remove the owner role')
  }
}

function splitName(name: string): { first_name: string | null; last_name: string | null } {
  const parts = name.trim().split(/\s+/)
  if (parts.length < 2) return { first_name: parts[0] ?? null, last_name: null }
  return { first_name: parts[0] ?? null, last_name: parts.slice(1).join(' ') }
}

/** A student or instructor member gets their Unified.to-shaped profile, linked to the account. */
export async function ensureProfile(
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

export async function createAccount(
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

/** The members of the school among these accounts (name and role); one that is not a member is absent. */
export async function membersAmong(deps: IdentityDeps, orgId: string, userIds: string[]) {
  return repo.membersAmong(deps.db, orgId, [...new Set(userIds)])
}

/** The e-mail address, name and language (their own, else the school's) of the members among these accounts. */
export async function contactsOf(deps: IdentityDeps, orgId: string, userIds: string[]) {
  const rows = await repo.contactsOf(deps.db, orgId, [...new Set(userIds)])
  return rows.map((r) => ({
    user_id: r.user_id,
    name: r.name,
    email: r.email,
    locale: r.locale ?? r.default_locale,
  }))
}

export async function getMember(deps: IdentityDeps, orgId: string, userId: string) {
  const member = await repo.getMember(deps.db, orgId, userId)
  if (!member) throw notFound('Member')
  return member
}

/**
 * Grants or withdraws platform administration (creating schools, acting in any school), from the command
 * line: a platform entry of the audit log.
 */
export async function setSuperadmin(deps: IdentityDeps, email: string, superadmin: boolean) {
  const user = await repo.findUserByEmail(deps.db, email)
  if (!user) throw notFound(`Account ${email}`)
  await deps.db.transaction().execute(async (trx) => {
    await repo.setSuperadmin(trx, user.id, superadmin)
    await recordAudit(
      { db: trx, clock: deps.clock },
      {
        orgId: null,
        actor: cliActor,
        action: superadmin ? 'superadmin.granted' : 'superadmin.revoked',
        target: { type: 'user', id: user.id, label: `${user.name} <${user.email}>` },
      },
    )
  })
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
    await recordAudit(
      { db: trx, clock: deps.clock },
      {
        orgId,
        actor: auditActor(actor),
        action: 'member.role_changed',
        target: { type: 'member', id: userId, label: `${member.name} <${member.email}>` },
        details: { from: member.role, to: role },
      },
    )
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
    await deps.onMemberRemoved?.(trx, orgId, userId)
    const tokens = await repo.listApiTokens(trx, orgId, { userId })
    for (const token of tokens) await repo.revokeApiToken(trx, orgId, token.id, at)
    await recordAudit(
      { db: trx, clock: deps.clock },
      {
        orgId,
        actor: auditActor(actor),
        action: 'member.removed',
        target: { type: 'member', id: userId, label: `${member.name} <${member.email}>` },
        details: { role: member.role, tokens_revoked: tokens.length },
      },
    )
  })
}
