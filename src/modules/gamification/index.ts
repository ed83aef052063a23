// The gamification module's public face: its routes, its signal reactors, its jobs, and the read
// functions dashboards use.

import type { SignalReactor } from '../../core/events/projector.ts'
import type { JobDefinition } from '../../core/jobs/job.ts'
import { xpReactor } from './projections/xp.ts'
import type { GamificationDeps } from './service.ts'

export { gamificationRoutes } from './routes.ts'
export { levelOf } from './rules/levels.ts'
export { defaultSettings, type GamificationSettings } from './rules/settings.ts'
export {
  type GamificationDeps,
  settingsOf,
  timezoneOf,
  updateSettings,
  xpHistory,
  xpSummary,
} from './service.ts'

/** The reactors, in the order they run: later ones may read what earlier ones wrote. */
export function gamificationReactors(_deps: GamificationDeps): SignalReactor[] {
  return [xpReactor]
}

/** The scheduled jobs of gamification. */
export function gamificationJobs(_deps: GamificationDeps): JobDefinition[] {
  return []
}
