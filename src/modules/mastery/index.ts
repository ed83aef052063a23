// The mastery module's public face: its routes, its signal reactors, and the read functions dashboards use.

import type { SignalReactor } from '../../core/events/projector.ts'
import { courseMasteryReactor } from './projections/course-mastery.ts'
import { skillMasteryReactor } from './projections/skill-mastery.ts'
import type { MasteryTables } from './tables.ts'

export { masteryPrivacy } from './privacy.ts'
export { masteryLevels } from './rules/levels.ts'
export { LevelCountsSchema } from './schemas.ts'
export {
  averageMasteryByCourse,
  courseMasteryOf,
  courseMasteryOfStudents,
  courseProgressOf,
  type MasteryDeps,
  skillMasteryOf,
  skillsSummary,
} from './service.ts'

/** The reactors, each on its own checkpoint: both read QUIZ_ATTEMPTED and nothing the other writes. */
export function masteryReactors(): SignalReactor[] {
  return [courseMasteryReactor, skillMasteryReactor]
}

declare module '../../core/db/database.ts' {
  /** The tables the mastery module owns. */
  interface Database extends MasteryTables {}
}
