import type { Kysely } from 'kysely'

// After how many days without activity a student who has not finished an open course counts as having
// abandoned it, in the course reports: a school's setting, 14 as the reports counted it until now.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('organisations')
    .addColumn('abandoned_days', 'integer', (c) => c.notNull().defaultTo(14))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organisations').dropColumn('abandoned_days').execute()
}
