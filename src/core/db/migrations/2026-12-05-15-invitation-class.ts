import type { Kysely } from 'kysely'

// An invitation may name the class (team) its student joins on accepting, so that a school imports its
// students with their classes in one go. A class deleted before the invitation is accepted is forgotten.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('invitations')
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('invitations').dropColumn('team_id').execute()
}
