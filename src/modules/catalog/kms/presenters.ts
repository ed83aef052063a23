import type { KmsResourceRow } from '../tables.ts'

export function kmsView(row: KmsResourceRow, available: boolean) {
  return {
    id: row.id,
    course_id: row.course_id,
    type: row.type,
    title: row.title,
    body: row.body_md,
    url: row.url,
    file:
      row.type === 'file'
        ? {
            name: row.file_name ?? '',
            type: row.file_type ?? 'application/octet-stream',
            size: Number(row.file_size ?? 0),
            download_url: `/api/courses/${row.course_id}/kms/${row.id}/file`,
          }
        : null,
    available_in_advance: row.available_in_advance === 1,
    available,
    order_index: row.order_index,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}
