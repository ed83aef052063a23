import type { OrganisationRow } from '../tables.ts'

/** A school as the API shows it: its settings stored as 0/1 are booleans. */
export function organisationView(row: OrganisationRow) {
  return { ...row, student_messaging: row.student_messaging === 1 }
}
