import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import type { FileStore } from '../../core/files/file-store.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import type * as identity from '../identity/index.ts'
import type { StreamSigner } from './cloudflare-stream.ts'

// What every catalog service is given (its dependencies and the ports other modules fill), and the small
// helpers they share.

/** What the school's plan allows; null means no limit. Billing provides it; until then every school is unlimited. */
type PlanLimits = { max_students: number | null; max_courses: number | null }
export type PlanLimitsPort = (orgId: string) => Promise<PlanLimits>
export const unlimitedPlan: PlanLimitsPort = async () => ({ max_students: null, max_courses: null })

/** How far students went, as the progress module knows it. */
export type ProgressPort = {
  /** How many leading steps of the course some student has completed or is working on. */
  reachedStepCount(orgId: string, courseId: string): Promise<number>
  hasCompletedCourse(orgId: string, courseId: string, studentId: string): Promise<boolean>
}

/**
 * Tells students that a published course is theirs (the notifications module, wired in app.ts): called
 * after every change that may give a published course new students; the port notifies each student once.
 */
type CourseAssignedPort = (
  orgId: string,
  course: { id: string; name: string; userIds: string[] },
) => Promise<void>

export type CatalogDeps = {
  db: Db
  clock: Clock
  identity: identity.IdentityDeps
  files: FileStore
  uploadMaxBytes: number
  /** Signs playback tokens for private Cloudflare Stream videos; null when no signing key is configured. */
  streamSigner: StreamSigner | null
  planLimits: PlanLimitsPort
  progress: ProgressPort
  /** Without it, nobody is told of a new course. */
  courseAssigned?: CourseAssignedPort
}

export type Actor = MemberIdentity

export const json = JSON.stringify
export const now = (deps: CatalogDeps) => deps.clock.now().toISOString()
