import { parseJson } from '../../core/db/json.ts'
import * as identity from '../identity/index.ts'
import { captionView } from './captions/presenters.ts'
import * as captionRepo from './captions/repository.ts'
import * as courseRepo from './courses/repository.ts'
import type { CatalogDeps } from './deps.ts'
import type { StepContent, TallyMapping } from './rules/steps.ts'
import { contentOf } from './steps/content.ts'
import * as stepRepo from './steps/repository.ts'
import type { CourseRow } from './tables.ts'
import * as teamRepo from './teams/repository.ts'
import { loadTeam } from './teams/service.ts'

// What other modules read of the catalog (through index.ts): paths as students take them, courses as
// dashboards see them, teams by student or name, and the caption tracks of steps.

// Paths as students take them (used by tracking and the student views)

export type LearnerStep = StepContent & { index: number; description: string | null }
export type LearnerPath = {
  course: Pick<
    CourseRow,
    | 'id'
    | 'name'
    | 'description'
    | 'status'
    | 'max_playback_rate'
    | 'allow_video_download'
    | 'video_completion_threshold'
    | 'quiz_pass_threshold'
  >
  steps: LearnerStep[]
}

/** A course and its steps in path order, with everything each step needs (answer keys included). */
export async function learnerPath(
  deps: CatalogDeps,
  orgId: string,
  courseId: string,
): Promise<LearnerPath | null> {
  const course = await courseRepo.getCourse(deps.db, orgId, courseId)
  if (!course) return null
  const rows = await stepRepo.listCourseSteps(deps.db, orgId, courseId)
  const quizzes = await stepRepo.getQuizzes(
    deps.db,
    orgId,
    rows.flatMap((r) => r.quiz_id ?? []),
  )
  return {
    course: {
      id: course.id,
      name: course.name,
      description: course.description,
      status: course.status,
      max_playback_rate: Number(course.max_playback_rate),
      allow_video_download: Number(course.allow_video_download),
      video_completion_threshold: Number(course.video_completion_threshold),
      quiz_pass_threshold: Number(course.quiz_pass_threshold),
    },
    steps: rows.map((row, index) => ({
      ...contentOf(
        row,
        quizzes.find((q) => q.id === row.quiz_id),
      ),
      index,
      description: row.description,
    })),
  }
}

/** The course of each of these steps, by step id; a step the school does not have is absent. */
export async function coursesOfSteps(deps: CatalogDeps, orgId: string, classIds: string[]) {
  const rows = await stepRepo.findCoursesOfClasses(deps.db, orgId, [...new Set(classIds)])
  return new Map(rows.map((r) => [r.id, r.course_id]))
}

/** Among these students, those enrolled in the course (directly or through a team). */
export async function enrolledAmong(
  deps: CatalogDeps,
  orgId: string,
  courseId: string,
  studentIds: string[],
) {
  return courseRepo.enrolledStudentsAmong(deps.db, orgId, courseId, [...new Set(studentIds)])
}

export async function isEnrolled(deps: CatalogDeps, orgId: string, courseId: string, studentId: string) {
  return courseRepo.isStudentEnrolled(deps.db, orgId, courseId, studentId)
}

/** Published (and archived) courses a student is enrolled in, directly or through a team. */
export async function coursesOfStudent(deps: CatalogDeps, orgId: string, studentId: string) {
  const ids = await courseRepo.courseIdsOfStudent(deps.db, orgId, studentId)
  const rows = await Promise.all(ids.map((id) => courseRepo.getCourse(deps.db, orgId, id)))
  return rows.filter((r): r is CourseRow => r !== undefined && r.status !== 'draft')
}

/** A step whose quiz is a Tally form, as a Tally webhook finds it (no organisation is known beforehand). */
export type TallyStep = {
  org_id: string
  course_id: string
  class_id: string
  pass_threshold: number | null
  tally: TallyMapping
}

function tallyStepOf(row: Awaited<ReturnType<typeof stepRepo.findTallySteps>>[number]): TallyStep {
  return {
    org_id: row.org_id,
    course_id: row.course_id,
    class_id: row.class_id,
    pass_threshold: row.pass_threshold === null ? null : Number(row.pass_threshold),
    tally: parseJson<TallyMapping>(row.tally_json, {} as TallyMapping),
  }
}

/**
 * Every step, in any school, whose quiz is the Tally form `formId` (signing secrets included). Platform-wide:
 * the caller must prove which school it acts for (the webhook signature) before using one.
 */
export async function tallyStepsOfForm(deps: CatalogDeps, formId: string): Promise<TallyStep[]> {
  return (await stepRepo.findTallySteps(deps.db, { formId })).map(tallyStepOf)
}

/** Among these step ids, in any school, the steps whose quiz is a Tally form. Platform-wide, as above. */
export async function tallyStepsAmong(deps: CatalogDeps, classIds: string[]): Promise<TallyStep[]> {
  return (await stepRepo.findTallySteps(deps.db, { classIds: [...new Set(classIds)] })).map(tallyStepOf)
}

// Courses as dashboards see them (reporting)

/** The school's courses (all, or those listed, optionally of one status) with their steps in path order. */
export async function courseOutlines(
  deps: CatalogDeps,
  orgId: string,
  filter: { ids?: string[]; status?: CourseRow['status'] } = {},
) {
  const courses = await courseRepo.findCourses(deps.db, orgId, {
    ...filter,
    ids: filter.ids ? [...new Set(filter.ids)] : undefined,
  })
  const steps = await stepRepo.stepsOfCourses(
    deps.db,
    orgId,
    courses.map((c) => c.id),
  )
  const byCourse = new Map<string, typeof steps>()
  for (const step of steps) {
    const list = byCourse.get(step.course_id)
    if (list) list.push(step)
    else byCourse.set(step.course_id, [step])
  }
  return courses.map((course) => ({
    id: course.id,
    name: course.name,
    status: course.status,
    published_at: course.published_at,
    steps: (byCourse.get(course.id) ?? []).map((step, index) => ({
      id: step.id,
      name: step.name,
      step_type: step.step_type,
      index,
      has_quiz: step.quiz_id !== null,
    })),
  }))
}

export type CourseOutline = Awaited<ReturnType<typeof courseOutlines>>[number]

/**
 * Who is enrolled in these courses and since when. A student enrolled several ways (directly, through one
 * or more teams) counts once, from the earliest; through a team, from when both the team was linked to the
 * course and the student joined the team.
 */
export async function enrolmentsOf(deps: CatalogDeps, orgId: string, courseIds: string[]) {
  const links = await courseRepo.enrolmentLinks(deps.db, orgId, [...new Set(courseIds)])
  const since = new Map<string, { course_id: string; student_id: string; enrolled_at: string }>()
  const add = (course_id: string, student_id: string, at: string) => {
    const key = `${course_id}|${student_id}`
    const known = since.get(key)
    if (!known || at < known.enrolled_at) since.set(key, { course_id, student_id, enrolled_at: at })
  }
  for (const l of links.direct) add(l.course_id, l.student_id, l.created_at)
  for (const l of links.viaTeams)
    add(l.course_id, l.student_id, l.team_linked_at > l.member_since ? l.team_linked_at : l.member_since)
  return [...since.values()]
}

/**
 * The students enrolled in a course (directly or through a team), or its instructors; `classId` names the
 * course by one of its steps. A course or step the school does not have has nobody.
 */
export async function peopleOfCourse(
  deps: CatalogDeps,
  orgId: string,
  table: 'lms_student' | 'lms_instructor',
  of: { courseId?: string; classId?: string },
): Promise<string[]> {
  let courseId = of.courseId
  if (of.classId) {
    const step = await stepRepo.getClass(deps.db, orgId, of.classId)
    if (!step || (courseId && courseId !== step.course_id)) return []
    courseId = step.course_id
  }
  if (!courseId) return []
  const links = await courseRepo.courseLinks(deps.db, orgId, [courseId])
  if (table === 'lms_instructor') return links.instructors.map((l) => l.instructor_id)
  return [...new Set([...links.direct, ...links.viaTeams].map((l) => l.student_id))]
}

/** Whether this member of the school is an instructor assigned to the course. */
export async function isCourseInstructor(deps: CatalogDeps, orgId: string, courseId: string, userId: string) {
  const { instructorId } = await identity.profilesOfUser(deps.identity, orgId, userId)
  return (
    instructorId !== null && (await courseRepo.isInstructorAssigned(deps.db, orgId, courseId, instructorId))
  )
}

// Teams (reporting's exports, Unified's courses, and the ports app.ts gives identity and gamification)

/** The teams of each of these students, by student id, in name order (reporting's exports). */
export async function teamsOfStudents(deps: CatalogDeps, orgId: string, studentIds: string[]) {
  const rows = await teamRepo.teamsOfStudents(deps.db, orgId, [...new Set(studentIds)])
  const teams = new Map<string, { id: string; name: string }[]>()
  for (const r of rows)
    teams.set(r.student_id, [...(teams.get(r.student_id) ?? []), { id: r.id, name: r.name }])
  return teams
}

/** The school's teams with these names, ignoring case (the first one made when two share a name). */
export async function teamsNamed(deps: CatalogDeps, orgId: string, names: string[]) {
  const rows = await teamRepo.teamsNamed(deps.db, orgId, [...new Set(names.map((n) => n.toLowerCase()))])
  const byName = new Map<string, { id: string; name: string }>()
  for (const row of rows) if (!byName.has(row.name.toLowerCase())) byName.set(row.name.toLowerCase(), row)
  return [...byName.values()]
}

export async function teamsByIds(deps: CatalogDeps, orgId: string, teamIds: string[]) {
  return teamRepo.teamsByIds(deps.db, orgId, teamIds)
}

/** The students of a team of the school (404 when it has no such team): what a team leaderboard ranks. */
export async function teamStudentIds(deps: CatalogDeps, orgId: string, teamId: string): Promise<string[]> {
  await loadTeam(deps, orgId, teamId)
  return (await teamRepo.teamMembers(deps.db, orgId, [teamId])).map((m) => m.student_id)
}

// Caption tracks (the student's step view)

/** The caption tracks of these steps, by step id (a step without captions is absent). */
export async function captionsOfSteps(deps: CatalogDeps, orgId: string, classIds: string[]) {
  const rows = await captionRepo.listCaptions(deps.db, orgId, [...new Set(classIds)])
  const byStep = new Map<string, ReturnType<typeof captionView>[]>()
  for (const row of rows) byStep.set(row.class_id, [...(byStep.get(row.class_id) ?? []), captionView(row)])
  return byStep
}
