import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Caption tracks (WebVTT) of a step's video, uploaded by its teachers: one row per language, the file in
// the file store like a handout file. They go with the step.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)
  await db.schema
    .createTable('step_caption')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('class_id', 'text', (c) => c.notNull().references('lms_class.id').onDelete('cascade'))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('file_key', 'text', (c) => c.notNull())
    .addColumn('file_size', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('step_caption_org_class')
    .on('step_caption')
    .columns(['org_id', 'class_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('step_caption').execute()
}
