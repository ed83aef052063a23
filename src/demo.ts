import { AppError } from './core/http/errors.ts'
import * as identity from './modules/identity/index.ts'

export const DEMO_PASSWORD = 'demo-sillon'
export const DEMO_ORG = { slug: 'demo', name: 'École Démo Sillon' }

export const demoAccounts = [
  { email: 'direction@demo.sillon.test', name: 'Claire Dubois', role: 'owner' },
  { email: 'prof@demo.sillon.test', name: 'Julien Moreau', role: 'instructor' },
  { email: 'lea@demo.sillon.test', name: 'Léa Martin', role: 'student' },
  { email: 'hugo@demo.sillon.test', name: 'Hugo Bernard', role: 'student' },
] as const satisfies readonly { email: string; name: string; role: identity.Role }[]

/** Creates the demo school and its accounts; does nothing when it already exists. */
export async function seedDemo(deps: identity.IdentityDeps): Promise<{ created: boolean }> {
  const existing = await identity.findOrganisationBySlug(deps, DEMO_ORG.slug).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) return null
    throw err
  })
  if (existing) return { created: false }
  const org = await identity.createOrganisation(deps, {
    ...DEMO_ORG,
    default_locale: 'fr',
    timezone: 'Europe/Paris',
  })
  for (const account of demoAccounts) {
    await identity.addMember(deps, org.id, 'cli', { ...account, password: DEMO_PASSWORD })
  }
  return { created: true }
}
