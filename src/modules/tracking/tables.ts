/** A Tally response Sillon kept instead of recording it: it could not be mapped, or the path refused it. */
export type TallyInboxRow = {
  /** `<org id or "none">:<Tally eventId>`: Tally's retries of one response update one row. */
  id: string
  /** Null only in rows kept before 2026-12-04; responses no school can be proven to own are not kept. */
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

/**
 * A delivery to a school's Tally form that no signing secret authenticated: what staff need to see that
 * the webhook's secret is wrong, never the whole body (anyone can send one).
 */
export type TallyRejectionRow = {
  id: string
  org_id: string
  form_id: string
  tally_event_id: string
  /** `tally_signature_missing` or `tally_signature_invalid`. */
  code: string
  reason: string
  /** Size of the body in bytes. */
  size_bytes: number
  /** The start of the body (a few hundred characters). */
  excerpt: string
  received_at: string
}

export type TrackingTables = { tally_inbox: TallyInboxRow; tally_rejections: TallyRejectionRow }
