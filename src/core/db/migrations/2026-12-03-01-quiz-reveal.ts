import type { Kysely } from 'kysely'

// When a student sees a native quiz's answer key: once they pass it ('after_pass', what every existing quiz
// keeps) or never ('never', for a quiz the teacher reuses as an exam).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('quizzes')
    .addColumn('reveal_answers', 'text', (c) => c.notNull().defaultTo('after_pass'))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('quizzes').dropColumn('reveal_answers').execute()
}
