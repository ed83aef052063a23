import { type Kysely, PostgresAdapter, sql } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Real time (the WebSocket gateway of messaging). Every live event that must survive a dropped connection
// (a message posted, edited, read; a notification) is stored before it is published, numbered in its
// school's stream (`realtime_streams.last_seq`, taken under the row's lock so that numbers commit in order),
// with the members it is for: a client that reconnects names the last number it saw and reads what it
// missed. The events are kept a few days (pruned by a job). Tickets let an API client open the socket
// without a long-lived credential in the URL; presence says which node holds which member's sockets.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('realtime_streams')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('last_seq', t.bigint, (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createTable('realtime_events')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('seq', t.bigint, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('data_json', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('realtime_events_pk', ['org_id', 'seq'])
    .execute()
  await db.schema.createIndex('realtime_events_created').on('realtime_events').column('created_at').execute()
  // Keyed by number first: a new event's recipients are appended at the end of one b-tree (a key led by the
  // member would scatter each event's 200 rows over 200 pages). A member's missed events are found by
  // scanning the numbers after their cursor, which the gateway bounds.
  let recipients = db.schema
    .createTable('realtime_recipients')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('seq', t.bigint, (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('realtime_recipients_pk', ['org_id', 'seq', 'user_id'])
    .addForeignKeyConstraint(
      'realtime_recipients_event',
      ['org_id', 'seq'],
      'realtime_events',
      ['org_id', 'seq'],
      (fk) => fk.onDelete('cascade'),
    )
  if (!(db.getExecutor().adapter instanceof PostgresAdapter))
    recipients = recipients.modifyEnd(sql`without rowid`)
  await recipients.execute()
  await db.schema
    .createTable('realtime_tickets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('realtime_tickets_org')
    .on('realtime_tickets')
    .columns(['org_id', 'user_id'])
    .execute()
  await db.schema
    .createTable('realtime_presence')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('connections', 'integer', (c) => c.notNull())
    .addColumn('seen_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('realtime_presence_pk', ['org_id', 'user_id', 'node_id'])
    .execute()
  await db.schema.createIndex('realtime_presence_node').on('realtime_presence').column('node_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('realtime_presence').execute()
  await db.schema.dropTable('realtime_tickets').execute()
  await db.schema.dropTable('realtime_recipients').execute()
  await db.schema.dropTable('realtime_events').execute()
  await db.schema.dropTable('realtime_streams').execute()
}
