import type { Generated } from 'kysely'

export type EventRow = {
  seq: Generated<number | string>
  id: string
  org_id: string
  type: string
  version: number
  student_id: string
  course_id: string
  class_id: string | null
  occurred_at: string
  received_at: string
  payload_json: string
  context_json: string
  created_at: string
}

type ProjectionCheckpointRow = {
  name: string
  seq: number | string
  updated_at: string
  failed_at: string | null
  failed_seq: number | string | null
  error: string | null
  attempts: number
}

/** A derived fact (VIDEO_COMPLETED, STREAK_DAY...), appended once under a deterministic id. */
export type SignalRow = {
  seq: Generated<number | string>
  id: string
  org_id: string
  type: string
  student_id: string
  course_id: string | null
  class_id: string | null
  occurred_at: string
  source_event_ids_json: string
  payload_json: string
  created_at: string
}

export type EventTables = {
  lms_event: EventRow
  lms_signal: SignalRow
  projection_checkpoints: ProjectionCheckpointRow
  integration_outbox: IntegrationOutboxRow
}

type IntegrationOutboxRow = {
  seq: Generated<number | string>
  id: string
  org_id: string
  type: string
  version: number
  occurred_at: string
  data_json: string
  created_at: string
}
