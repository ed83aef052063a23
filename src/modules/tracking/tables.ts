/** A Tally response Sillon kept instead of recording it: it could not be mapped, or the path refused it. */
export type TallyInboxRow = {
  /** `<org id or "none">:<Tally eventId>`: Tally's retries of one response update one row. */
  id: string
  /** Null when no school could be proven to own the form (unknown form without a matching signature). */
  org_id: string | null
  form_id: string
  tally_event_id: string
  /** Machine-readable reason (`tally_unknown_student`, `step_locked`...). */
  code: string
  reason: string
  /** The body exactly as Tally sent it. */
  payload_json: string
  received_at: string
}

export type TrackingTables = { tally_inbox: TallyInboxRow }
