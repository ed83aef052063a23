import { type Migration, type MigrationResultSet, Migrator, PostgresAdapter, sql } from 'kysely'
import type { Db } from './database.ts'
import * as identity from './migrations/2026-11-22-01-identity.ts'
import * as catalog from './migrations/2026-11-22-02-catalog.ts'
import * as tracking from './migrations/2026-11-22-03-tracking.ts'
import * as tally from './migrations/2026-11-22-04-tally.ts'
import * as integrations from './migrations/2026-11-22-05-integrations.ts'
import * as jobs from './migrations/2026-11-22-06-jobs.ts'
import * as signalLog from './migrations/2026-12-01-01-signal-log.ts'
import * as gamification from './migrations/2026-12-01-02-gamification.ts'
import * as badges from './migrations/2026-12-01-03-badges.ts'
import * as streaksHearts from './migrations/2026-12-01-04-streaks-hearts.ts'
import * as mastery from './migrations/2026-12-01-05-mastery.ts'
import * as leaderboardView from './migrations/2026-12-02-01-leaderboard-view.ts'
import * as personLookup from './migrations/2026-12-02-02-person-lookup.ts'
import * as scoreBoards from './migrations/2026-12-02-03-score-boards.ts'
import * as quizReveal from './migrations/2026-12-03-01-quiz-reveal.ts'
import * as signInSafety from './migrations/2026-12-03-05-sign-in-safety.ts'
import * as eventIdsPerSchool from './migrations/2026-12-04-01-event-ids-per-school.ts'
import * as tallyRejections from './migrations/2026-12-04-02-tally-rejections.ts'
import * as badgeKeys from './migrations/2026-12-05-14-badge-keys.ts'
import * as invitationClass from './migrations/2026-12-05-15-invitation-class.ts'
import * as quizOneAtATime from './migrations/2026-12-07-11-quiz-one-at-a-time.ts'
import * as videoDownload from './migrations/2026-12-07-12-video-download.ts'
import * as stepCaptions from './migrations/2026-12-07-13-step-captions.ts'
import * as xpRebuilds from './migrations/2026-12-07-20-xp-rebuilds.ts'
import * as abandonedDays from './migrations/2026-12-07-21-abandoned-days.ts'
import * as auditLog from './migrations/2026-12-07-30-audit-log.ts'
import * as privacyRetention from './migrations/2026-12-07-41-privacy-retention.ts'
import * as messaging from './migrations/2026-12-08-01-messaging.ts'
import * as realtime from './migrations/2026-12-08-10-realtime.ts'
import * as notifications from './migrations/2026-12-08-20-notifications.ts'
import * as messageAttachmentsReports from './migrations/2026-12-08-30-message-attachments-reports.ts'

// Listed in code rather than read from a folder so that bundled builds (Workers) carry them.
const migrations: Record<string, Migration> = {
  '2026-11-22-01-identity': identity,
  '2026-11-22-02-catalog': catalog,
  '2026-11-22-03-tracking': tracking,
  '2026-11-22-04-tally': tally,
  '2026-11-22-05-integrations': integrations,
  '2026-11-22-06-jobs': jobs,
  '2026-12-01-01-signal-log': signalLog,
  '2026-12-01-02-gamification': gamification,
  '2026-12-01-03-badges': badges,
  '2026-12-01-04-streaks-hearts': streaksHearts,
  '2026-12-01-05-mastery': mastery,
  '2026-12-02-01-leaderboard-view': leaderboardView,
  '2026-12-02-02-person-lookup': personLookup,
  '2026-12-02-03-score-boards': scoreBoards,
  '2026-12-03-01-quiz-reveal': quizReveal,
  '2026-12-03-05-sign-in-safety': signInSafety,
  '2026-12-04-01-event-ids-per-school': eventIdsPerSchool,
  '2026-12-04-02-tally-rejections': tallyRejections,
  '2026-12-05-14-badge-keys': badgeKeys,
  '2026-12-05-15-invitation-class': invitationClass,
  '2026-12-07-11-quiz-one-at-a-time': quizOneAtATime,
  '2026-12-07-12-video-download': videoDownload,
  '2026-12-07-13-step-captions': stepCaptions,
  '2026-12-07-20-xp-rebuilds': xpRebuilds,
  '2026-12-07-21-abandoned-days': abandonedDays,
  '2026-12-07-30-audit-log': auditLog,
  '2026-12-07-41-privacy-retention': privacyRetention,
  '2026-12-08-01-messaging': messaging,
  '2026-12-08-10-realtime': realtime,
  '2026-12-08-20-notifications': notifications,
  '2026-12-08-30-message-attachments-reports': messageAttachmentsReports,
}

/** The migrations this build knows, oldest first: a backup whose schema is past them cannot be restored. */
export const knownMigrations: readonly string[] = Object.keys(migrations)

class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
  ) {
    super(message)
    this.name = 'MigrationError'
  }
}

async function currentSchema(db: Db): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  const schema = rows[0]?.schema
  if (!schema) throw new Error('PostgreSQL has no current schema: check the search_path of the database user')
  return schema
}

/**
 * Brings the schema to the latest version, or up to the migration `target` (an upgrade test starts from
 * an older schema); returns the names of the migrations it applied.
 */
export async function migrateToLatest(db: Db, target?: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db, target)
    } catch (err) {
      if (attempt >= 5 || !(err instanceof MigrationError) || !lostSqliteRace(db, err)) throw err
    }
  }
}

// Kysely takes no lock on SQLite: two processes opening one new file (two `sillon` commands at once) both
// start migrating it, and the slower one fails to write, or fails on what the other just created. Its
// transaction rolled back whole (see connect-node.ts), so trying again finds the work done.
function lostSqliteRace(db: Db, err: MigrationError) {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return false
  return /already exists|database is locked|UNIQUE constraint failed/i.test(err.message)
}

async function migrateOnce(db: Db, target?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Kysely looks for its own tables in every schema it can see; pin it to ours (PostgreSQL).
    ...(db.getExecutor().adapter instanceof PostgresAdapter
      ? { migrationTableSchema: await currentSchema(db) }
      : {}),
  })
  const { error, results = [] } = await (target ? migrator.migrateTo(target) : migrator.migrateToLatest())
  if (error) {
    const failed = results.find((r) => r.status === 'Error')
    const reason = error instanceof Error ? error.message : String(error)
    throw new MigrationError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`, results)
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
