// Mastery's read models, kept by its reactors from QUIZ_ATTEMPTED signals (rebuildable from the log).
// `last_seq` is the last signal applied to a row: applying a signal again changes nothing.

/** The best evidence of one student on one question of a course (a Tally quiz is one question, `*`). */
export type MasteryQuestionRow = {
  org_id: string
  student_id: string
  course_id: string
  class_id: string
  question_id: string
  points: number
  attempts: number
  /** Best weighted credit over the attempts, in [0, 1] (rules/course-mastery.ts). */
  best_credit: number
  last_seq: number | string
  updated_at: string
}

/** A student's mastery of a course: the points-weighted best credits of the questions they answered. */
export type CourseMasteryRow = {
  org_id: string
  student_id: string
  course_id: string
  score: number
  questions: number
  points: number
  /** Quiz attempts in the course. */
  attempts: number
  last_attempt_at: string
  last_seq: number | string
}

/** A student's mastery of a skill, across courses, before decay (applied at read, rules/skill-mastery.ts). */
export type SkillMasteryRow = {
  org_id: string
  student_id: string
  skill: string
  weighted_sum: number
  weight_total: number
  score: number
  attempts: number
  correct: number
  last_practised_at: string
  last_seq: number | string
}

export type MasteryTables = {
  mastery_question: MasteryQuestionRow
  v_course_mastery: CourseMasteryRow
  v_skill_mastery: SkillMasteryRow
}
