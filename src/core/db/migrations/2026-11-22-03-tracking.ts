import { type Kysely, PostgresAdapter } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Tracking and progress: the event log (lms_event), projector checkpoints, the per-step progress read
// model (v_user_progress) and derived signals (lms_signal).

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter

  // `seq` orders the log for projectors; `id` is the client's event id (idempotency key).
  await db.schema
    .createTable('lms_event')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('class_id', 'text')
    .addColumn('occurred_at', t.timestamp, (c) => c.notNull())
    .addColumn('received_at', t.timestamp, (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('context_json', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('lms_event_org_student_class')
    .on('lms_event')
    .columns(['org_id', 'student_id', 'class_id', 'seq'])
    .execute()
  await db.schema
    .createIndex('lms_event_org_type_time')
    .on('lms_event')
    .columns(['org_id', 'type', 'occurred_at'])
    .execute()

  await db.schema
    .createTable('projection_checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('seq', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('failed_at', t.timestamp)
    .addColumn('failed_seq', t.bigint)
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  await db.schema
    .createTable('v_user_progress')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('class_id', 'text', (c) => c.notNull())
    .addColumn('step_index', 'integer', (c) => c.notNull())
    .addColumn('video_started_at', t.timestamp)
    .addColumn('video_max_position_sec', t.double, (c) => c.notNull().defaultTo(0))
    .addColumn('video_duration_sec', t.double)
    .addColumn('video_completed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('video_completed_at', t.timestamp)
    .addColumn('quiz_passed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quiz_score', t.double)
    .addColumn('quiz_max_score', t.double)
    .addColumn('quiz_best_ratio', t.double)
    .addColumn('quiz_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quiz_last_attempt_at', t.timestamp)
    .addColumn('quiz_passed_at', t.timestamp)
    .addColumn('acknowledged_at', t.timestamp)
    .addColumn('step_completed_at', t.timestamp)
    .addColumn('skip_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_seq', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('v_user_progress_pk', ['student_id', 'class_id'])
    .execute()
  await db.schema
    .createIndex('v_user_progress_org_course_student')
    .on('v_user_progress')
    .columns(['org_id', 'course_id', 'student_id'])
    .execute()

  await db.schema
    .createTable('lms_signal')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('class_id', 'text')
    .addColumn('occurred_at', t.timestamp, (c) => c.notNull())
    .addColumn('source_event_ids_json', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('lms_signal_org_student_type')
    .on('lms_signal')
    .columns(['org_id', 'student_id', 'type'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['lms_signal', 'v_user_progress', 'projection_checkpoints', 'lms_event']) {
    await db.schema.dropTable(table).execute()
  }
}
