import { type Kysely, sql } from 'kysely'

// `v_leaderboard` of the seed's monitoring ERD, for people who query the database directly (BI tools,
// support): each school's all-time ranking with competition ranks (1, 1, 3). The API reads the same
// maintained scores through its own paged, indexed query; this view is never on a request's path.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createView('v_leaderboard')
    .as(
      sql`SELECT s.org_id, s.student_id, p.name AS display_name, s.total_points, s.badges_count,
        RANK() OVER (PARTITION BY s.org_id ORDER BY s.total_points DESC) AS rank
        FROM gamification_score s LEFT JOIN lms_student p ON p.id = s.student_id AND p.org_id = s.org_id`,
    )
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropView('v_leaderboard').execute()
}
