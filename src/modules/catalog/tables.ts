export const courseStatuses = ['draft', 'published', 'archived'] as const
export type CourseStatus = (typeof courseStatuses)[number]

export const stepTypes = ['video', 'quiz', 'video_quiz', 'reading'] as const
export type StepType = (typeof stepTypes)[number]

export const kmsTypes = ['document', 'link', 'file'] as const
type KmsType = (typeof kmsTypes)[number]

export type CourseRow = {
  id: string
  org_id: string
  name: string
  description: string | null
  status: CourseStatus
  categories_json: string
  media_json: string
  languages_json: string
  objectives_json: string
  skills_json: string
  currency: string | null
  price_amount: number | null
  is_active: number
  is_private: number
  max_playback_rate: number
  /** 1 when students may download the course's videos (the browser's menu); 0 hides the option. */
  allow_video_download: number
  video_completion_threshold: number
  quiz_pass_threshold: number
  raw_json: string | null
  created_by: string | null
  published_at: string | null
  created_at: string
  updated_at: string
}

export type QuizRow = {
  id: string
  org_id: string
  kind: 'native' | 'tally'
  pass_threshold: number | null
  /** When students see the answer key (native quizzes): 'after_pass' or 'never'. */
  reveal_answers: 'after_pass' | 'never'
  /** How the player shows a native quiz's questions: 'all' or 'one_at_a_time'. */
  question_display: 'all' | 'one_at_a_time'
  questions_json: string
  tally_json: string | null
  created_at: string
  updated_at: string
}

/** A step of a learning path (Unified.to's LmsClass). */
export type ClassRow = {
  id: string
  org_id: string
  course_id: string
  name: string
  description: string | null
  order_index: number
  step_type: StepType
  content_md: string | null
  video_json: string | null
  quiz_id: string | null
  media_json: string
  languages_json: string
  skills_json: string
  raw_json: string | null
  created_at: string
  updated_at: string
}

export type TeamRow = {
  id: string
  org_id: string
  name: string
  description: string | null
  created_at: string
  updated_at: string
}

type TeamMemberRow = { org_id: string; team_id: string; student_id: string; created_at: string }
type CourseStudentRow = { org_id: string; course_id: string; student_id: string; created_at: string }
type CourseTeamRow = { org_id: string; course_id: string; team_id: string; created_at: string }
type CourseInstructorRow = {
  org_id: string
  course_id: string
  instructor_id: string
  created_at: string
}

export type KmsResourceRow = {
  id: string
  org_id: string
  course_id: string
  type: KmsType
  title: string
  body_md: string | null
  url: string | null
  file_key: string | null
  file_name: string | null
  file_type: string | null
  file_size: number | null
  available_in_advance: number
  order_index: number
  created_at: string
  updated_at: string
}

/** A WebVTT caption track of a step's video; the file lives in the file store under `file_key`. */
export type StepCaptionRow = {
  id: string
  org_id: string
  class_id: string
  /** BCP 47 language tag, as <track srclang> takes it. */
  language: string
  label: string
  file_key: string
  file_size: number
  created_at: string
}

export type CatalogTables = {
  lms_course: CourseRow
  quizzes: QuizRow
  lms_class: ClassRow
  teams: TeamRow
  team_members: TeamMemberRow
  course_students: CourseStudentRow
  course_teams: CourseTeamRow
  course_instructors: CourseInstructorRow
  kms_resource: KmsResourceRow
  step_caption: StepCaptionRow
}
