import { createRouter } from '../../core/http/router.ts'
import { registerCaptionRoutes } from './captions/routes.ts'
import { registerCourseRoutes } from './courses/routes.ts'
import type { CatalogDeps } from './deps.ts'
import { registerKmsRoutes } from './kms/routes.ts'
import { registerPlaybackRoutes } from './playback/routes.ts'
import { registerStepOrderRoute, registerStepRoutes } from './steps/routes.ts'
import { registerTeamRoutes } from './teams/routes.ts'
import { registerTransferRoutes } from './transfer/routes.ts'

/**
 * The catalog's routes, one file a sub-domain. They are registered in this order because it is the order
 * of the OpenAPI document, which web/api/schema.gen.ts follows.
 */
export function catalogRoutes(deps: CatalogDeps) {
  const app = createRouter()
  registerCourseRoutes(app, deps)
  registerStepOrderRoute(app, deps)
  registerTransferRoutes(app, deps)
  registerStepRoutes(app, deps)
  registerPlaybackRoutes(app, deps)
  registerCaptionRoutes(app, deps)
  registerKmsRoutes(app, deps)
  registerTeamRoutes(app, deps)
  return app
}
