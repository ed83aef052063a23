import type { Db } from '../../../core/db/database.ts'
import type { Identity } from '../../../core/http/context.ts'
import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  notFound,
  unauthorized,
} from '../../../core/http/errors.ts'
import { newId, randomSecret, sha256Hex } from '../../../core/ids.ts'
import { auditActor, recordAudit } from '../../audit/index.ts'
import { queueInvitationMail } from '../account-mails.ts'
import { type Actor, type IdentityDeps, now } from '../deps.ts'
import { assertMayManage, createAccount, ensureProfile } from '../members/service.ts'
import { getOrganisation } from '../organisations/service.ts'
import { assertStrongPassword } from '../password-strength.ts'
import * as repo from '../repository.ts'
import type { Role } from '../tables.ts'

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
 * Invites someone by e-mail: the link is e-mailed to them (queued with the invitation) and also answered,
 * for an administrator who hands it over another way. The answer is the same whether or not the address has an account elsewhere on
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
  const org = await getOrganisation(deps, orgId)
  const { row, url } = await newInvitation(deps, invitedBy, input)
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertInvitation(trx, orgId, row)
    await auditInvitation(deps, trx, orgId, actor, row, { class: cls?.name ?? null })
    await queueInvitationMail(deps, trx, org, invitedBy, row, url)
  })
  return { ...row, class: cls ?? null, url }
}

/** The audit entry of an invitation, written in its transaction (`db`). */
export async function auditInvitation(
  deps: IdentityDeps,
  db: Db,
  orgId: string,
  actor: Actor,
  invitation: { id: string; email: string; role: Role; expires_at: string },
  details: Record<string, unknown>,
) {
  await recordAudit(
    { db, clock: deps.clock },
    {
      orgId,
      actor: auditActor(actor),
      action: 'member.invited',
      target: { type: 'invitation', id: invitation.id, label: invitation.email },
      details: { role: invitation.role, expires_at: invitation.expires_at, ...details },
    },
  )
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
