// The identity module's public face: what the app, the CLI and other modules may use.
import type { IdentityTables } from './tables.ts'

export { queuePasswordChangedMail } from './account-mails.ts'
export { createAuth } from './auth.ts'
export { createCfAccessVerifier } from './cf-access.ts'
export type { IdentityDeps } from './deps.ts'
export { inviteMember } from './invitations/service.ts'
export {
  addMember,
  contactsOf,
  listMembers,
  membersAmong,
  memberUserId,
  setSuperadmin,
} from './members/service.ts'
export {
  createOrganisation,
  findOrganisationBySlug,
  getOrganisation,
  listOrganisations,
} from './organisations/service.ts'
export { type PasswordHasher, scryptPasswordHasher } from './password-hasher.ts'
export { resetRequested } from './passwords/service.ts'
export {
  createPerson,
  deletePerson,
  getPerson,
  listPersons,
  peopleByIds,
  profilesOfUser,
  studentsOfUsers,
  updatePerson,
} from './people/service.ts'
export {
  accountExists,
  erasureSubject,
  formerMembers,
  identityPrivacy,
  privacySubject,
  privacySubjectByEmail,
} from './privacy.ts'
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
export { authenticate } from './sessions/service.ts'
export {
  DEFAULT_ABANDONED_DAYS,
  type Locale,
  type OrganisationRow,
  type Role,
  roles,
} from './tables.ts'
export { createApiToken } from './tokens/service.ts'

declare module '../../core/db/database.ts' {
  /** The tables the identity module owns. */
  interface Database extends IdentityTables {}
}
