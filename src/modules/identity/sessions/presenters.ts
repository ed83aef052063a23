import type { Selectable } from 'kysely'
import type { Identity } from '../../../core/http/context.ts'
import { organisationView } from '../organisations/presenters.ts'
import type { OrganisationRow, Role, UserRow } from '../tables.ts'

/**
 * The caller as the API shows them (GET /api/auth/me): their account, the active organisation, their role
 * and profiles there, and every organisation they belong to.
 */
export function meView(
  identity: Identity,
  user: Selectable<UserRow>,
  org: OrganisationRow | null,
  organisations: { id: string; slug: string; name: string; role: Role }[],
  profiles: { studentId: string | null; instructorId: string | null },
) {
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      locale: user.locale,
      image: user.image,
      is_superadmin: user.is_superadmin === 1,
    },
    organisation: org && organisationView(org),
    role: identity.role,
    student_id: profiles.studentId,
    instructor_id: profiles.instructorId,
    organisations,
    auth_method: identity.via,
  }
}
