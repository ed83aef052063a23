const jobOutcomes = ['running', 'ok', 'failed', 'skipped'] as const
/** `running` until the run ends; `skipped` when its period was already done (or being done) elsewhere. */
export type JobOutcome = (typeof jobOutcomes)[number]

/** What started a run: its schedule, the queue, or someone at the command line. */
export type JobTrigger = 'schedule' | 'queue' | 'manual'

/** One run of a job for one period (and organisation, for per-organisation jobs). */
export type JobRunRow = {
  id: string
  job_name: string
  /** Stable key of what the run is for: the scheduled instant (ISO, UTC), or a queued job's key. */
  period_key: string
  org_id: string | null
  trigger: JobTrigger
  outcome: JobOutcome
  started_at: string
  finished_at: string | null
  duration_ms: number | null
  error: string | null
}

export type JobTables = {
  job_runs: JobRunRow
}
