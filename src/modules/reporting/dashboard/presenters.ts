import type { z } from '@hono/zod-openapi'
import type { CourseRecapSchema, StudentDashboardSchema } from '../schemas.ts'
import type { StudentReport } from '../students-in-courses.ts'

// What students see of their own learning as the API shows it: their dashboard and a course's recap.

type StudentDashboard = z.infer<typeof StudentDashboardSchema>
type CourseRecap = z.infer<typeof CourseRecapSchema>

export function studentDashboardView(facts: {
  studentId: string
  now: Date
  courses: StudentDashboard['courses']
  game: Pick<StudentDashboard, 'xp' | 'badges' | 'streak' | 'hearts'>
  skills: StudentDashboard['skills']
}): StudentDashboard {
  return {
    student_id: facts.studentId,
    as_of: facts.now.toISOString(),
    courses: facts.courses,
    ...facts.game,
    skills: facts.skills,
  }
}

/** What a course's recap gathered: the student's report in it, when they completed its last step, their rewards. */
type CourseRecapFacts = {
  courseId: string
  report: StudentReport
  stepCount: number
  /** The latest completion of one of its steps; undefined when none. */
  lastCompletedAt: string | undefined
  /** Null without gamification. */
  rewards: { xp: number; badges: CourseRecap['badges'] } | null
}

export function courseRecapView({
  courseId,
  report,
  stepCount,
  lastCompletedAt,
  rewards,
}: CourseRecapFacts): CourseRecap {
  const completed = report.status === 'completed'
  const timed = [...report.steps.values()].some((s) => s.timeSec !== null)
  return {
    course_id: courseId,
    completed,
    completed_steps: report.done,
    total_steps: stepCount,
    completed_at: completed ? (lastCompletedAt ?? null) : null,
    xp_earned: rewards?.xp ?? null,
    badges: rewards?.badges ?? [],
    time_spent_sec: timed ? report.timeSpentSec : null,
  }
}
