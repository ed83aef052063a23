import type { Db } from '../../core/db/database.ts'
import type { AccountMail, IdentityDeps } from './deps.ts'
import * as repo from './repository.ts'
import type { Locale, OrganisationRow, Role } from './tables.ts'

/** How long a reset link works, in seconds (better-auth's `resetPasswordTokenExpiresIn`). */
export const RESET_LINK_SECONDS = 60 * 60

const ROLE_LABELS: Record<Locale, Record<Role, string>> = {
  fr: {
    owner: 'propriétaire',
    admin: 'administrateur',
    instructor: 'enseignant',
    student: 'élève',
    support: 'support',
  },
  en: {
    owner: 'owner',
    admin: 'administrator',
    instructor: 'instructor',
    student: 'student',
    support: 'support',
  },
}

/** An account's language: its own choice, else that of the school it last used, else French. */
async function localeOfUser(
  db: Db,
  user: { locale: Locale | null; last_org_id: string | null },
): Promise<Locale> {
  if (user.locale) return user.locale
  const org = user.last_org_id ? await repo.getOrganisation(db, user.last_org_id) : undefined
  return org?.default_locale ?? 'fr'
}

function formatDate(iso: string, locale: Locale, timeZone: string): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeZone: zone })
  try {
    return format(timeZone).format(new Date(iso))
  } catch {
    return format('UTC').format(new Date(iso))
  }
}

/**
 * Queues the e-mail of an invitation, in the transaction that creates it (`db`): the school's name, who
 * invites, the role, the link and its expiry, in the invitee's language (their account's, if they have one,
 * else the school's).
 */
export async function queueInvitationMail(
  deps: IdentityDeps,
  db: Db,
  org: OrganisationRow,
  invitedBy: string | null,
  invitation: { id: string; email: string; role: Role; expires_at: string },
  url: string,
) {
  if (!deps.queueMail) return
  const [inviter, account] = await Promise.all([
    invitedBy ? repo.getUser(db, invitedBy) : undefined,
    repo.findUserByEmail(db, invitation.email),
  ])
  const locale = account?.locale ?? org.default_locale
  await deps.queueMail(db, {
    orgId: org.id,
    userId: account?.id ?? null,
    to: invitation.email,
    locale,
    template: 'account.invitation',
    params: {
      school: org.name,
      inviter: inviter?.name ?? org.name,
      role: ROLE_LABELS[locale][invitation.role],
      expires: formatDate(invitation.expires_at, locale, org.timezone),
      link: url,
    },
    key: `invitation:${invitation.id}`,
  })
}

/** The reset link of the web app; the token rides in the fragment, which browsers never send to servers. */
function resetLink(deps: IdentityDeps, token: string): string {
  return `${deps.publicUrl}/reset-password#token=${token}`
}

/** Queues an e-mail to an account's own address, in its language; not about any school. */
async function queueAccountMail(
  deps: IdentityDeps,
  userId: string,
  mail: (user: { name: string; email: string }) => Pick<AccountMail, 'template' | 'params' | 'key'>,
) {
  if (!deps.queueMail) return
  const user = await repo.getUser(deps.db, userId)
  if (!user) return
  await deps.queueMail(deps.db, {
    orgId: null,
    userId: user.id,
    to: user.email,
    locale: await localeOfUser(deps.db, user),
    ...mail(user),
  })
}

/** Queues a reset e-mail for this account (better-auth has just stored the token). */
export async function queuePasswordResetMail(deps: IdentityDeps, userId: string, token: string) {
  await queueAccountMail(deps, userId, (user) => ({
    template: 'account.password-reset',
    params: { name: user.name, link: resetLink(deps, token), minutes: RESET_LINK_SECONDS / 60 },
    key: `password-reset:${token}`,
  }))
}

/**
 * Tells the account's address that its password has changed (by its owner, or through a reset link), with
 * the way back if it was not them.
 */
export async function queuePasswordChangedMail(deps: IdentityDeps, userId: string) {
  await queueAccountMail(deps, userId, (user) => ({
    template: 'account.password-changed',
    params: { name: user.name, email: user.email, link: '/forgot-password' },
  }))
}
