import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { holdProjectors, type Projector } from '../../core/events/projector.ts'
import type { FileStore } from '../../core/files/file-store.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { badRequest, notFound } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import type { ErasureEffects, PrivacyPort, PrivacySubject } from '../../core/privacy/port.ts'
import { subjectIds } from '../../core/privacy/port.ts'
import { auditActor, recordAudit } from '../audit/index.ts'
import * as identity from '../identity/index.ts'
import { renderSummary } from './summary.ts'

// The GDPR requests, over every module's privacy port: a person's data as JSON (right of access), and
// their erasure in one transaction (right to erasure).

export type PrivacyDeps = {
  db: Db
  clock: Clock
  identity: identity.IdentityDeps
  /** Where pictures are kept: an erased account's picture file is deleted once the erasure has committed. */
  files: FileStore
  /** Every module's port, in the order the app wires them. */
  ports: PrivacyPort[]
  /** The projectors whose read models and logs an erasure rewrites: none of their batches runs meanwhile. */
  projectors: Projector[]
}

/** Who asks: a member through a request, the platform's operator at the command line, or the retention job. */
type Requester = MemberIdentity | 'cli' | 'system'

async function exportOf(deps: PrivacyDeps, subject: PrivacySubject) {
  const school = await identity.getOrganisation(deps.identity, subject.orgId)
  const modules: Record<string, Record<string, unknown>> = {}
  for (const port of deps.ports) modules[port.module] = await port.exportPerson(deps.db, subject)
  return {
    data: {
      generated_at: deps.clock.now().toISOString(),
      school: { id: school.id, slug: school.slug, name: school.name },
      person: { user_id: subject.userId, name: subject.name, email: subject.email, role: subject.role },
      modules,
    },
    locale: subject.locale ?? school.default_locale,
  }
}

async function gather(deps: PrivacyDeps, orgId: string, requester: Requester, userId: string) {
  const subject = await identity.privacySubject(deps.db, orgId, userId)
  if (!subject) throw notFound('Member')
  const gathered = await exportOf(deps, subject)
  await recordAudit(deps, {
    orgId,
    actor: auditActor(requester),
    action: 'person.exported',
    target: { type: 'member', id: userId, label: `${subject.name} <${subject.email}>` },
  })
  return gathered
}

/**
 * Everything the school's modules hold about the member `userId` (theirs, or a member's for an
 * administrator), recorded in the audit log. 404 when the person has nothing in this school.
 */
export async function exportPersonalData(
  deps: PrivacyDeps,
  orgId: string,
  requester: Requester,
  userId: string,
) {
  return (await gather(deps, orgId, requester, userId)).data
}

/** The same, as a readable HTML page in the person's language (else the school's). */
export async function personalDataSummary(
  deps: PrivacyDeps,
  orgId: string,
  requester: Requester,
  userId: string,
) {
  const { data, locale } = await gather(deps, orgId, requester, userId)
  return renderSummary(data, locale)
}

/**
 * Erases the person from the school: every port removes or pseudonymises their rows, in one transaction
 * with the audit entry (whose target is the account's pseudonym), then the files that went with the
 * account are deleted. `confirmEmail`, when given, must be the person's e-mail.
 */
export async function erasePerson(
  deps: PrivacyDeps,
  orgId: string,
  requester: Requester,
  userId: string,
  confirmEmail?: string,
) {
  // The command line and the retention job act as an owner would.
  const actor = requester === 'system' ? 'cli' : requester
  const subject = await identity.erasureSubject(deps.identity, orgId, actor, userId)
  if (confirmEmail !== undefined && confirmEmail.trim().toLowerCase() !== subject.email.toLowerCase()) {
    throw badRequest(
      'confirmation_mismatch',
      "The confirmation is not this member's e-mail: nothing was erased",
    )
  }
  const pseudonyms = new Map(subjectIds(subject).map((id) => [id, newId()]))
  const effects: (ErasureEffects | undefined)[] = []
  await deps.db.transaction().execute(async (trx) => {
    await holdProjectors(
      trx,
      deps.projectors.map((p) => p.name),
    )
    // Recorded first: if the person erases themselves, their own entry is pseudonymised with the others.
    await recordAudit(
      { db: trx, clock: deps.clock },
      {
        orgId,
        actor: auditActor(requester),
        action: 'person.erased',
        target: { type: 'person', id: pseudonyms.get(userId) ?? null, label: null },
        details: { role: subject.role },
      },
    )
    for (const port of deps.ports) effects.push(await port.erasePerson(trx, subject, pseudonyms))
    for (const port of deps.ports) effects.push(await port.finishErasure?.(trx, subject, pseudonyms))
  })
  for (const key of effects.flatMap((e) => e?.filesToDelete ?? [])) await deps.files.delete(key)
  return { account_deleted: !(await identity.accountExists(deps.db, userId)) }
}

/** The command line's erasure: the member with this e-mail in the school with this slug. */
export async function erasePersonByEmail(deps: PrivacyDeps, slug: string, email: string) {
  const org = await identity.findOrganisationBySlug(deps.identity, slug)
  const subject = await identity.privacySubjectByEmail(deps.identity, org.id, email)
  return erasePerson(deps, org.id, 'cli', subject.userId)
}
