import type { Kysely } from 'kysely'

// How the player shows a native quiz's questions: all on one page ('all', what every existing quiz keeps),
// or one at a time ('one_at_a_time', the teacher's choice for a phone-sized, Duolingo-like pace).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('quizzes')
    .addColumn('question_display', 'text', (c) => c.notNull().defaultTo('all'))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('quizzes').dropColumn('question_display').execute()
}
