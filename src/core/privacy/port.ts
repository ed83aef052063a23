import { sql } from 'kysely'
import type { Db } from '../db/database.ts'
import type { Role } from '../http/roles.ts'

// The privacy port (Moodle's privacy API is the model): every module that stores personal data, or rows
// about a person, declares which of its tables and columns hold them, and implements "export this person"
// and "erase this person". The privacy module runs every port; core names none of them.

/** One table's personal data, as the module that owns the table declares it. */
type PersonalDataDeclaration = {
  table: string
  /** Columns holding one of the person's ids, whole or inside a composite id: pseudonymised on erasure. */
  subjectColumns: string[]
  /** Columns whose values are personal data (names, e-mails, pictures, free text, addresses...). */
  personalColumns: string[]
  /** What the rows are and what erasure does to them, for the README and the reader of the declaration. */
  note: string
}

/** The person a request is about, in one school, with every id they have there. */
export type PrivacySubject = {
  orgId: string
  /** Their account. */
  userId: string
  name: string
  email: string
  /** The language they chose for their account, if any. */
  locale: 'fr' | 'en' | null
  /** Their membership in the school; null for a former member whose profile the school keeps. */
  membershipId: string | null
  role: Role | null
  /** Their lms_student and lms_instructor profiles in the school. */
  studentId: string | null
  instructorId: string | null
}

/** Every id of the subject, the account's included, mapped to a new random one: the same in every table. */
export type Pseudonyms = ReadonlyMap<string, string>

/** What erasing left to do once the transaction has committed (files live outside the database). */
export type ErasureEffects = { filesToDelete?: string[] }

/** One module's part of the access and erasure requests. */
export type PrivacyPort = {
  module: string
  declares: PersonalDataDeclaration[]
  /** The person's data in this module, as JSON-ready values (no secrets such as password or token hashes). */
  exportPerson(db: Db, subject: PrivacySubject): Promise<Record<string, unknown>>
  /**
   * Removes or pseudonymises the person's data, inside the erasure's transaction. Rows still referenced by
   * other modules' rows (profiles) are replaced by pseudonymous copies here and removed in `finishErasure`,
   * which runs once every port's `erasePerson` has moved its rows to the pseudonyms.
   */
  erasePerson(trx: Db, subject: PrivacySubject, pseudonyms: Pseudonyms): Promise<ErasureEffects | undefined>
  finishErasure?(
    trx: Db,
    subject: PrivacySubject,
    pseudonyms: Pseudonyms,
  ): Promise<ErasureEffects | undefined>
}

/** The subject's ids that have a pseudonym (profiles and membership first, the account last). */
export function subjectIds(subject: PrivacySubject): string[] {
  return [subject.studentId, subject.instructorId, subject.membershipId, subject.userId].filter(
    (id): id is string => id !== null,
  )
}

/**
 * Rewrites the subject's ids to their pseudonyms in `columns` of the school's rows of `table` where
 * `whereColumn` equals one of them (`contains`: where it holds one, for ids inside composite ids or JSON).
 * Ids are UUIDs, so a substring replacement touches nothing else.
 */
export async function pseudonymiseRows(
  trx: Db,
  orgId: string,
  pseudonyms: Pseudonyms,
  target: { table: string; whereColumn: string; columns: string[]; match?: 'equals' | 'contains' },
): Promise<void> {
  for (const [id, pseudonym] of pseudonyms) {
    const assignments = sql.join(
      target.columns.map((c) => sql`${sql.ref(c)} = replace(${sql.ref(c)}, ${id}, ${pseudonym})`),
    )
    const where =
      target.match === 'contains'
        ? sql`${sql.ref(target.whereColumn)} like ${`%${id}%`}`
        : sql`${sql.ref(target.whereColumn)} = ${id}`
    await sql`update ${sql.table(target.table)} set ${assignments} where org_id = ${orgId} and ${where}`.execute(
      trx,
    )
  }
}

/** The school's rows of `table` whose `column` is `value`, without the `omit` columns (secrets). */
export async function rowsAbout(
  db: Db,
  orgId: string,
  table: string,
  column: string,
  value: string | null,
  omit: string[] = [],
): Promise<Record<string, unknown>[]> {
  if (value === null) return []
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}
    where org_id = ${orgId} and ${sql.ref(column)} = ${value}`.execute(db)
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !omit.includes(k))))
}
