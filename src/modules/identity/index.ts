// The identity module's public face: what the app, the CLI and other modules may use.
import type { IdentityTables } from './tables.ts'

export { createAuth } from './auth.ts'
export { createCfAccessVerifier } from './cf-access.ts'
export { type PasswordHasher, scryptPasswordHasher } from './password-hasher.ts'
export type { PersonTable } from './repository.ts'
export {
  Address as LmsAddressSchema,
  CreateOrganisationBody,
  EmailEntry as LmsEmailSchema,
  looksLikeEmail,
  personExample as lmsPersonExample,
  personFields as lmsPersonFields,
  TelephoneEntry as LmsTelephoneSchema,
} from './schemas.ts'
export {
  addMember,
  authenticate,
  createApiToken,
  createOrganisation,
  createPerson,
  deletePerson,
  findOrganisationBySlug,
  getOrganisation,
  getPerson,
  type IdentityDeps,
  inviteMember,
  listOrganisations,
  listPersons,
  memberUserId,
  peopleByIds,
  profilesOfUser,
  setSuperadmin,
  studentsOfUsers,
  updatePerson,
} from './service.ts'
export {
  DEFAULT_ABANDONED_DAYS,
  type Locale,
  type OrganisationRow,
  type Role,
  roles,
} from './tables.ts'

declare module '../../core/db/database.ts' {
  /** The tables the identity module owns. */
  interface Database extends IdentityTables {}
}
