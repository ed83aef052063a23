import { createRouter } from '../../core/http/router.ts'
import type { IdentityDeps } from './deps.ts'
import { registerInvitationRoutes } from './invitations/routes.ts'
import { registerMemberRoutes } from './members/routes.ts'
import { registerOrganisationRoutes } from './organisations/routes.ts'
import { registerPasswordRoutes } from './passwords/routes.ts'
import { registerPeopleRoutes } from './people/routes.ts'
import { registerSessionRoutes } from './sessions/routes.ts'
import { registerTokenRoutes } from './tokens/routes.ts'

/**
 * Identity's routes, one file a sub-domain. They are registered in this order because it is the order of
 * the OpenAPI document, which web/api/schema.gen.ts follows.
 */
export function identityRoutes(deps: IdentityDeps) {
  const app = createRouter()
  registerSessionRoutes(app, deps)
  registerPasswordRoutes(app, deps)
  registerOrganisationRoutes(app, deps)
  registerMemberRoutes(app, deps)
  registerInvitationRoutes(app, deps)
  registerTokenRoutes(app, deps)
  registerPeopleRoutes(app, deps)
  return app
}
