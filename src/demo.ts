import { readFile } from 'node:fs/promises'
import { AppError } from './core/http/errors.ts'
import * as catalog from './modules/catalog/index.ts'
import * as identity from './modules/identity/index.ts'

export const DEMO_PASSWORD = 'demo-sillon'
export const DEMO_ORG = { slug: 'demo', name: 'École Démo Sillon' }
/** Where the Node server serves `demo/media`; the demo course's videos point there. */
export const DEMO_MEDIA_PATH = '/media/demo'
export const DEMO_COURSE_FILE = new URL('../demo/courses/systeme-solaire.json', import.meta.url)

export const demoAccounts = [
  { email: 'direction@demo.sillon.test', name: 'Claire Dubois', role: 'owner' },
  { email: 'prof@demo.sillon.test', name: 'Julien Moreau', role: 'instructor' },
  { email: 'lea@demo.sillon.test', name: 'Léa Martin', role: 'student' },
  { email: 'hugo@demo.sillon.test', name: 'Hugo Bernard', role: 'student' },
] as const satisfies readonly { email: string; name: string; role: identity.Role }[]

/**
 * Creates the demo school once: its accounts, a team of the two students, and the published course of
 * `demo/courses/` (content is data: the same document `sillon course import` takes).
 */
export async function seedDemo(deps: { identity: identity.IdentityDeps; catalog: catalog.CatalogDeps }) {
  const existing = await identity
    .findOrganisationBySlug(deps.identity, DEMO_ORG.slug)
    .catch((err: unknown) => {
      if (err instanceof AppError && err.status === 404) return null
      throw err
    })
  if (existing) return { created: false }
  const document = catalog.CourseDocumentSchema.parse(JSON.parse(await readFile(DEMO_COURSE_FILE, 'utf8')))

  const org = await identity.createOrganisation(deps.identity, {
    ...DEMO_ORG,
    default_locale: 'fr',
    timezone: 'Europe/Paris',
  })
  const members = []
  for (const account of demoAccounts) {
    // The documented demo password is weak next to these e-mails (demo, sillon): it is seeded, never chosen.
    const { member } = await identity.addMember(
      deps.identity,
      org.id,
      'cli',
      { ...account, password: DEMO_PASSWORD },
      { passwordCheck: false },
    )
    members.push({ ...member, ...(await identity.profilesOfUser(deps.identity, org.id, member.user_id)) })
  }
  const [owner, teacher, ...students] = members
  if (!owner || !teacher) throw new Error('the demo school needs an owner and an instructor')
  const actor = {
    userId: owner.user_id,
    email: owner.email,
    name: owner.name,
    isSuperadmin: false,
    orgId: org.id,
    role: 'owner' as const,
    via: 'session' as const,
  }
  const team = await catalog.createTeam(deps.catalog, actor, {
    name: 'Seconde A',
    student_ids: students.flatMap((s) => s.studentId ?? []),
  })
  const courseId = await catalog.importIntoOrganisation(
    deps.catalog,
    org.id,
    owner.user_id,
    teacher.instructorId,
    document,
  )
  await catalog.updateCourse(deps.catalog, actor, courseId, { team_ids: [team.id] })
  await catalog.publishCourse(deps.catalog, actor, courseId)
  return { created: true }
}
