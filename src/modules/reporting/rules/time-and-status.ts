// How long a student spent on each step, and where they stand in a course (in progress, abandoned…), as
// pure rules over what progress and the event log record, so a rebuild of the projections gives the same.

import { type PathStep, type StepState, wholeDays } from './at-risk.ts'

/**
 * The most a step counts for. Past it the student surely left and came back (the step stayed open on a
 * tab, or they closed the app), so the gap says nothing about the work; video steps allow for long videos.
 */
const STEP_TIME_CAP_SEC: Record<string, number> = {
  reading: 3_600,
  quiz: 3_600,
  video: 3 * 3_600,
  video_quiz: 3 * 3_600,
}

/**
 * When a step opened to the student: the completion of the previous step (the moment the path let them in),
 * or, for the first step, the first event they sent on it. Null when neither is known.
 */
export function stepOpenedAt(
  steps: PathStep[],
  step: PathStep,
  progress: Map<string, StepState>,
  firstActivity: Map<string, string>,
): string | null {
  const previous = step.index > 0 ? steps[step.index - 1] : undefined
  return (previous && progress.get(previous.id)?.step_completed_at) || firstActivity.get(step.id) || null
}

/**
 * Seconds from a step's opening to its completion, capped by its type. Null when the step is not
 * completed, or when nothing dates its opening apart from the completion itself (a first step acknowledged
 * with no earlier event): an unknown time is left out of averages instead of counting as 0.
 */
export function timeOnStepSec(stepType: string, openedAt: string | null, completedAt: string | null) {
  if (!openedAt || !completedAt) return null
  const seconds = (Date.parse(completedAt) - Date.parse(openedAt)) / 1000
  if (seconds <= 0) return null
  return Math.min(seconds, STEP_TIME_CAP_SEC[stepType] ?? 3_600)
}

export type StudentStatus = 'not_started' | 'in_progress' | 'abandoned' | 'completed'

/**
 * Where a student stands in a course.
 * - completed: every step done.
 * - not_started: no event in the course yet.
 * - abandoned: the course is open (published), not finished, and no event for `abandonedDays` whole days.
 * - in_progress: otherwise, including a student on a step now, and anyone in a draft or archived course.
 */
export function studentStatus(
  input: {
    courseStatus: string
    stepCount: number
    completedSteps: number
    lastEventAt: string | null
  },
  abandonedDays: number,
  now: Date,
): StudentStatus {
  if (input.stepCount > 0 && input.completedSteps === input.stepCount) return 'completed'
  if (!input.lastEventAt) return 'not_started'
  if (input.courseStatus === 'published' && wholeDays(now, input.lastEventAt) >= abandonedDays)
    return 'abandoned'
  return 'in_progress'
}
