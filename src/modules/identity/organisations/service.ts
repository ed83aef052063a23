import { conflict, notFound } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import { type IdentityDeps, now } from '../deps.ts'
import * as repo from '../repository.ts'
import { DEFAULT_ABANDONED_DAYS, type Locale, type OrganisationRow } from '../tables.ts'

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
    student_messaging: 0,
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
  patch: {
    name?: string
    default_locale?: Locale
    timezone?: string
    abandoned_days?: number
    student_messaging?: boolean
  },
): Promise<OrganisationRow> {
  const { student_messaging, ...rest } = patch
  const messaging = student_messaging === undefined ? {} : { student_messaging: student_messaging ? 1 : 0 }
  await repo.updateOrganisation(deps.db, orgId, { ...rest, ...messaging, updated_at: now(deps) })
  return getOrganisation(deps, orgId)
}

export async function listOrganisations(deps: IdentityDeps) {
  return repo.listOrganisations(deps.db)
}
