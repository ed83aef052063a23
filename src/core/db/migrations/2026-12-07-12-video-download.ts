import type { Kysely } from 'kysely'

// Whether students may save a course's videos: browsers offer "Download" in the video's controls and
// context menu. Allowed (1) by default, as before; a school that licenses its videos turns it off per course.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('lms_course')
    .addColumn('allow_video_download', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('lms_course').dropColumn('allow_video_download').execute()
}
