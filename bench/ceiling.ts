import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'

// What SQLite alone can store on this machine: VIDEO_PING rows appended to the real `lms_event` table
// (its indexes and foreign key included) through one raw prepared statement, `rows` per transaction,
// with the app's pragmas. No HTTP, no validation, no gating, no projection: an upper bound for ingest.

const COLUMNS = [
  'id',
  'org_id',
  'type',
  'version',
  'student_id',
  'course_id',
  'class_id',
  'occurred_at',
  'received_at',
  'payload_json',
  'context_json',
  'created_at',
]

export type Ceiling = { eventsPerSec: number; rowsPerCommit: number; note: string }

export function sqliteAppendCeiling(
  dataDir: string,
  seconds: number,
  rowsPerCommit: number,
  ids: 'random' | 'ordered',
): Ceiling {
  const sqlite = new SQLite(join(dataDir, 'sillon.db'))
  try {
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('synchronous = NORMAL')
    const sample = sqlite
      .prepare('select org_id, student_id, course_id, class_id from lms_event limit 1')
      .get() as { org_id: string; student_id: string; course_id: string; class_id: string } | undefined
    if (!sample) throw new Error('no event to copy the ids of: run the ingest scenarios first')
    const row = `(${COLUMNS.map(() => '?').join(', ')})`
    const insert = sqlite.prepare(
      `insert into lms_event (${COLUMNS.join(', ')}) values ${Array(rowsPerCommit).fill(row).join(', ')}`,
    )
    const append = sqlite.transaction((values: unknown[]) => insert.run(values))
    // Ordered ids (UUIDv7-like: a time prefix) keep the unique index's inserts on its last pages.
    let counter = 0
    const nextId = () =>
      ids === 'random'
        ? randomUUID()
        : `${Date.now().toString(16).padStart(12, '0')}-${(counter++).toString(16).padStart(8, '0')}`
    let stored = 0
    const started = performance.now()
    const until = started + seconds * 1000
    while (performance.now() < until) {
      const now = new Date().toISOString()
      const values: unknown[] = []
      for (let i = 0; i < rowsPerCommit; i++) {
        const payload = JSON.stringify({
          position: stored + i,
          duration: 36_000,
          playback_rate: 1,
          flags: [],
        })
        values.push(nextId(), sample.org_id, 'VIDEO_PING', 2, sample.student_id, sample.course_id)
        values.push(sample.class_id, now, now, payload, '{"source":"api"}', now)
      }
      append(values)
      stored += rowsPerCommit
    }
    const elapsed = (performance.now() - started) / 1000
    return { eventsPerSec: stored / elapsed, rowsPerCommit, note: `${stored} rows, ${ids} ids` }
  } finally {
    sqlite.close()
  }
}
