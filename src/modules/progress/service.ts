import type { Db } from '../../core/db/database.ts'
import * as repo from './repository.ts'
import { signalId } from './rules/evolve.ts'

export type ProgressDeps = { db: Db }

/** Where students are, as the catalog needs to know it (steps reached, courses completed). */
export function progressPort(deps: ProgressDeps) {
  return {
    reachedStepCount: (orgId: string, courseId: string) => repo.reachedStepCount(deps.db, orgId, courseId),
    hasCompletedCourse: (orgId: string, courseId: string, studentId: string) =>
      repo.hasSignal(deps.db, orgId, signalId('COURSE_COMPLETED', studentId, courseId)),
  }
}

export async function progressInCourse(
  deps: ProgressDeps,
  orgId: string,
  studentId: string,
  courseId: string,
) {
  return repo.progressInCourse(deps.db, orgId, studentId, courseId)
}

export async function progressOfStep(deps: ProgressDeps, orgId: string, studentId: string, classId: string) {
  return repo.progressOfStep(deps.db, orgId, studentId, classId)
}
