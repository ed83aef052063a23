import type { z } from '@hono/zod-openapi'
import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import type * as catalog from '../catalog/index.ts'
import type * as identity from '../identity/index.ts'
import type * as mastery from '../mastery/index.ts'
import type * as progress from '../progress/index.ts'
import type { CourseRecapSchema, DashboardGamificationSchema, DashboardSkillsSchema } from './schemas.ts'

// What reporting's services are given: the database, the clock, the modules it reads, and the ports
// app.ts fills from mastery and gamification.

/** Average mastery of the students of each course, as the mastery module computes it. */
type AverageMasteryPort = (
  orgId: string,
) => Promise<{ course_id: string; students: number; average_score: number }[]>

/** The students who have no heart left, as gamification knows it. */
type OutOfHeartsPort = (orgId: string) => Promise<{ student_id: string; next_heart_at: string | null }[]>

/** Each student's mastery of one course (mastery), for the course reports. */
type CourseMasteryPort = (
  orgId: string,
  courseId: string,
) => Promise<
  { student_id: string; score: number; level: (typeof mastery.masteryLevels)[number]; questions: number }[]
>

/** The student dashboard's game (gamification): XP, badges, streak with its calendar, hearts. */
type DashboardGamificationPort = (
  orgId: string,
  studentId: string,
  calendarDays: number,
) => Promise<z.infer<typeof DashboardGamificationSchema>>

/** The XP and badges a student earned through one course's steps (gamification), for its recap. */
type CourseRewardsPort = (
  orgId: string,
  studentId: string,
  courseId: string,
) => Promise<{ xp: number; badges: z.infer<typeof CourseRecapSchema>['badges'] }>

/** The student dashboard's skills (mastery): counts per level and each skill's level now. */
type DashboardSkillsPort = (
  orgId: string,
  studentId: string,
) => Promise<z.infer<typeof DashboardSkillsSchema>>

export type ReportingDeps = {
  db: Db
  clock: Clock
  progress: progress.ProgressDeps
  catalog: catalog.CatalogDeps
  identity: identity.IdentityDeps
  /** When absent, the overview lists no mastery. */
  averageMastery?: AverageMasteryPort
  /** When absent, nobody is reported out of hearts. */
  outOfHearts?: OutOfHeartsPort
  /** When absent, course reports show no mastery. */
  courseMastery?: CourseMasteryPort
  dashboardGamification: DashboardGamificationPort
  dashboardSkills: DashboardSkillsPort
  /** When absent, course recaps show no XP nor badges. */
  courseRewards?: CourseRewardsPort
}
