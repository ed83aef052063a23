// The identity module's public face: what the app, the CLI and other modules may use.
export { type Auth, createAuth } from './auth.ts'
export { type CfAccessVerifier, createCfAccessVerifier } from './cf-access.ts'
export { identityRoutes } from './routes.ts'
export { CreateOrganisationBody, looksLikeEmail } from './schemas.ts'
export {
  type Actor,
  addMember,
  authenticate,
  createApiToken,
  createOrganisation,
  findOrganisationBySlug,
  getOrganisation,
  type IdentityDeps,
  inviteMember,
  listOrganisations,
  memberUserId,
  peopleByIds,
  profilesOfUser,
  setSuperadmin,
  studentsOfUsers,
} from './service.ts'
export { type Locale, locales, type OrganisationRow, type Role, roles } from './tables.ts'
