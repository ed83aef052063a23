import { parseJson } from '../../../core/db/json.ts'
import type { MediaItem } from '../schemas.ts'
import type { CourseRow } from '../tables.ts'
import type { CourseLinks } from './repository.ts'

/** What a course's view shows besides its row, loaded for several courses at once. */
export type CourseRelations = {
  links: CourseLinks
  stepCounts: { course_id: string; n: number | string }[]
  studentName: Map<string, string | null>
  instructorName: Map<string, string | null>
}

/** A course as the API shows it: its enrolments (direct and through teams), instructors and step count. */
export function courseView(
  row: CourseRow,
  { links, stepCounts, studentName, instructorName }: CourseRelations,
) {
  const enrolled = [
    ...new Set(
      [...links.direct, ...links.viaTeams].filter((l) => l.course_id === row.id).map((l) => l.student_id),
    ),
  ].sort()
  const assigned = links.instructors.filter((l) => l.course_id === row.id).map((l) => l.instructor_id)
  return {
    id: row.id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    name: row.name,
    description: row.description,
    status: row.status,
    categories: parseJson<string[]>(row.categories_json, []),
    languages: parseJson<string[]>(row.languages_json, []),
    media: parseJson<MediaItem[]>(row.media_json, []),
    objectives: parseJson<string[]>(row.objectives_json, []),
    skills: parseJson<string[]>(row.skills_json, []),
    currency: row.currency,
    price_amount: row.price_amount === null ? null : Number(row.price_amount),
    is_active: row.is_active === 1,
    is_private: row.is_private === 1,
    max_playback_rate: Number(row.max_playback_rate),
    allow_video_download: row.allow_video_download === 1,
    video_completion_threshold: Number(row.video_completion_threshold),
    quiz_pass_threshold: Number(row.quiz_pass_threshold),
    student_ids: enrolled,
    direct_student_ids: links.direct
      .filter((l) => l.course_id === row.id)
      .map((l) => l.student_id)
      .sort(),
    students: enrolled.map((id) => ({ id, name: studentName.get(id) ?? null })),
    instructor_ids: assigned,
    instructors: assigned.map((id) => ({ id, name: instructorName.get(id) ?? null })),
    team_ids: links.teams.filter((l) => l.course_id === row.id).map((l) => l.team_id),
    step_count: Number(stepCounts.find((c) => c.course_id === row.id)?.n ?? 0),
    published_at: row.published_at,
    raw: parseJson<Record<string, unknown> | null>(row.raw_json, null),
  }
}

export type CourseView = ReturnType<typeof courseView>
