type RealtimeStreamRow = { org_id: string; last_seq: number | string }

export type RealtimeEventRow = {
  org_id: string
  /** The event's number in its school's stream: the cursor a client resumes from. */
  seq: number | string
  type: string
  /** Whose action it reports (a message's author, a reader), for erasure. */
  actor_id: string | null
  data_json: string
  created_at: string
}

type RealtimeRecipientRow = { org_id: string; seq: number | string; user_id: string }

type RealtimeTicketRow = {
  token_hash: string
  org_id: string
  user_id: string
  created_at: string
  expires_at: string
}

type RealtimePresenceRow = {
  org_id: string
  user_id: string
  node_id: string
  connections: number
  seen_at: string
}

type RealtimeTables = {
  realtime_streams: RealtimeStreamRow
  realtime_events: RealtimeEventRow
  realtime_recipients: RealtimeRecipientRow
  realtime_tickets: RealtimeTicketRow
  realtime_presence: RealtimePresenceRow
}

declare module '../../../core/db/database.ts' {
  /** The tables of messaging's real-time gateway. */
  interface Database extends RealtimeTables {}
}
