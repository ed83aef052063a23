import type { StepCaptionRow } from '../tables.ts'

export function captionView(row: StepCaptionRow) {
  return {
    id: row.id,
    language: row.language,
    label: row.label,
    size: Number(row.file_size),
    created_at: row.created_at,
    url: `/api/lms/classes/${row.class_id}/captions/${row.id}/file`,
  }
}
