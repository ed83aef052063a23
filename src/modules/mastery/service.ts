import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { forbidden, notFound } from '../../core/http/errors.ts'
import * as catalog from '../catalog/index.ts'
import * as identity from '../identity/index.ts'
import * as progress from '../progress/index.ts'
import * as repo from './repository.ts'
import { type MasteryLevel, masteryLevel, masteryLevels } from './rules/levels.ts'
import { skillLevelAt } from './rules/skill-mastery.ts'

export type MasteryDeps = {
  db: Db
  clock: Clock
  catalog: catalog.CatalogDeps
  progress: progress.ProgressDeps
  identity: identity.IdentityDeps
}

const earliest = (times: string[]) => (times.length === 0 ? null : times.reduce((a, b) => (a < b ? a : b)))
const latest = (times: string[]) => (times.length === 0 ? null : times.reduce((a, b) => (a > b ? a : b)))

/**
 * `v_course_progress`: per course the student is enrolled in (published or archived), the steps completed
 * out of the course's current steps. `started_at` is the student's first activity on the course as
 * progress dates it (first video ping, first quiz attempt, acknowledgement or completion, whichever is
 * earliest); `completed_at` is when the last step was completed (COURSE_COMPLETED), null until every
 * current step is done.
 */
export async function courseProgressOf(deps: MasteryDeps, orgId: string, studentId: string) {
  const courses = await catalog.coursesOfStudent(deps.catalog, orgId, studentId)
  if (courses.length === 0) return []
  const [outlines, activity] = await Promise.all([
    catalog.courseOutlines(deps.catalog, orgId, { ids: courses.map((c) => c.id) }),
    progress.stepActivityOf(deps.progress, orgId, studentId),
  ])
  return outlines.map((course) => {
    const rows = activity.filter((a) => a.course_id === course.id)
    const stepIds = new Set(course.steps.map((s) => s.id))
    const done = rows.filter((r) => r.completed_at !== null && stepIds.has(r.class_id))
    const total = course.steps.length
    const completed = total > 0 && done.length === total
    return {
      course_id: course.id,
      title: course.name,
      completed_steps: done.length,
      total_steps: total,
      ratio: total === 0 ? 0 : done.length / total,
      started_at: earliest(rows.flatMap((r) => r.started_at ?? [])),
      completed_at: completed ? latest(done.flatMap((r) => r.completed_at ?? [])) : null,
    }
  })
}

/** The student's mastery of each course they have answered quiz questions in, with its level. */
export async function courseMasteryOf(deps: MasteryDeps, orgId: string, studentId: string) {
  const rows = await repo.courseMasteryOf(deps.db, orgId, studentId)
  return rows.map((r) => ({
    course_id: r.course_id,
    score: Number(r.score),
    level: masteryLevel(Number(r.score), Number(r.questions)),
    questions: Number(r.questions),
    attempts: Number(r.attempts),
    last_attempt_at: r.last_attempt_at,
  }))
}

/** The mastery of a course of each student who answered questions in it, by student id (course reports). */
export async function courseMasteryOfStudents(deps: MasteryDeps, orgId: string, courseId: string) {
  const rows = await repo.courseMasteryOfStudents(deps.db, orgId, courseId)
  return rows.map((r) => ({
    student_id: r.student_id,
    score: Number(r.score),
    level: masteryLevel(Number(r.score), Number(r.questions)),
    questions: Number(r.questions),
  }))
}

/** The student's skills as of now (the injected clock): level after decay, and whether decay lowered it. */
export async function skillMasteryOf(deps: MasteryDeps, orgId: string, studentId: string) {
  const now = deps.clock.now()
  const rows = await repo.skillsOf(deps.db, orgId, studentId)
  return rows.map((r) => {
    const state = {
      score: Number(r.score),
      attempts: Number(r.attempts),
      last_practised_at: r.last_practised_at,
    }
    return {
      skill: r.skill,
      score: state.score,
      ...skillLevelAt(state, now),
      attempts: state.attempts,
      correct: Number(r.correct),
      last_practised_at: r.last_practised_at,
    }
  })
}

/** Per course of the school, how many students have a mastery score and their average (admin overview). */
export async function averageMasteryByCourse(deps: MasteryDeps, orgId: string) {
  return repo.averageByCourse(deps.db, orgId)
}

function countByLevel(skills: { level: MasteryLevel }[]) {
  const counts = Object.fromEntries(masteryLevels.map((l) => [l, 0])) as Record<MasteryLevel, number>
  for (const skill of skills) counts[skill.level] += 1
  return counts
}

/** The student dashboard's skills: how many are at each level now (decay included), and each one's level. */
export async function skillsSummary(deps: MasteryDeps, orgId: string, studentId: string) {
  const skills = await skillMasteryOf(deps, orgId, studentId)
  return {
    levels: countByLevel(skills),
    skills: skills.map(({ skill, score, level }) => ({ skill, score, level })),
  }
}

/** Everything the mastery view shows about one student: their courses and their skills. */
async function masteryOfStudent(deps: MasteryDeps, orgId: string, studentId: string) {
  const [courses, mastery, skills] = await Promise.all([
    courseProgressOf(deps, orgId, studentId),
    courseMasteryOf(deps, orgId, studentId),
    skillMasteryOf(deps, orgId, studentId),
  ])
  const byCourse = new Map(mastery.map((m) => [m.course_id, m]))
  return {
    student_id: studentId,
    as_of: deps.clock.now().toISOString(),
    courses: courses.map(({ course_id, title, ...courseProgress }) => {
      const m = byCourse.get(course_id)
      return {
        course_id,
        title,
        progress: courseProgress,
        score: m?.score ?? null,
        level: m?.level ?? null,
        questions: m?.questions ?? 0,
      }
    }),
    skills,
    skills_summary: countByLevel(skills),
  }
}

/** The signed-in member's own mastery; only members with a student profile have one. */
export async function myMastery(deps: MasteryDeps, actor: MemberIdentity) {
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  if (!studentId) throw forbidden('This view is for students', 'not_a_student')
  return masteryOfStudent(deps, actor.orgId, studentId)
}

/** A student's mastery for staff of their school; a student of another school is not found. */
export async function studentMastery(deps: MasteryDeps, actor: MemberIdentity, studentId: string) {
  const [student] = await identity.peopleByIds(deps.identity, actor.orgId, 'lms_student', [studentId])
  if (!student) throw notFound('Student')
  return masteryOfStudent(deps, actor.orgId, student.id)
}
