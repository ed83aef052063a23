import type { TeamRow } from '../tables.ts'

/** A team as the API shows it, with its students among `members` (of several teams). */
export function teamView(row: TeamRow, members: { team_id: string; student_id: string }[]) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    student_ids: members.filter((m) => m.team_id === row.id).map((m) => m.student_id),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}
