import Papa from 'papaparse'
import { badRequest } from '../../core/http/errors.ts'
import { queueInvitationMail } from './account-mails.ts'
import type { Actor, ClassRef, IdentityDeps } from './deps.ts'
import { auditInvitation, newInvitation } from './invitations/service.ts'
import { getOrganisation } from './organisations/service.ts'
import * as repo from './repository.ts'
import { looksLikeEmail } from './schemas.ts'
import { type Role, roles } from './tables.ts'

/** Rows one import may hold: enough for a whole school year, small enough for one transaction. */
const IMPORT_MAX_ROWS = 2000

/** Header names accepted for each column, compared without case, accents or spaces. */
const COLUMN_NAMES = {
  name: ['name', 'nom', 'fullname', 'nomcomplet'],
  email: ['email', 'e-mail', 'mail', 'courriel', 'adresse', 'adressee-mail'],
  role: ['role'],
  class: ['class', 'classe', 'team', 'equipe', 'groupe', 'group'],
} as const
type Column = keyof typeof COLUMN_NAMES

/** French role names a school may write in its spreadsheet, beside the API's own. */
const ROLE_NAMES: Record<string, Role> = {
  proprietaire: 'owner',
  administrateur: 'admin',
  administratrice: 'admin',
  formateur: 'instructor',
  formatrice: 'instructor',
  enseignant: 'instructor',
  enseignante: 'instructor',
  eleve: 'student',
  etudiant: 'student',
  etudiante: 'student',
  apprenant: 'student',
  apprenante: 'student',
  assistance: 'support',
}

type ImportProblem =
  | 'name_missing'
  | 'email_invalid'
  | 'role_unknown'
  | 'role_not_allowed'
  | 'class_unknown'
  | 'class_for_students_only'
  | 'duplicate_in_file'
  | 'already_member'

type ImportRow = {
  /** The row's line in the file (the header is line 1). */
  line: number
  name: string
  email: string
  role: Role | null
  class_name: string | null
  /** The existing class, or null when the row names none or a class the import would create. */
  class_id: string | null
  problems: ImportProblem[]
}

export type ImportPlan = {
  rows: ImportRow[]
  /** Class names the file uses that the school does not have (created only when asked to). */
  new_classes: string[]
  valid: boolean
}

const fold = (value: string) =>
  value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[\s_]/g, '')

function columnOf(header: string): Column | null {
  const folded = fold(header)
  for (const [column, names] of Object.entries(COLUMN_NAMES) as [Column, readonly string[]][]) {
    if (names.includes(folded)) return column
  }
  return null
}

function roleOf(value: string): Role | null | 'unknown' {
  const folded = fold(value)
  if (!folded) return null
  if ((roles as readonly string[]).includes(folded)) return folded as Role
  return ROLE_NAMES[folded] ?? 'unknown'
}

/** Reads the CSV (comma, semicolon or tab separated, as spreadsheets export it) into raw rows. */
function parseCsv(csv: string) {
  const parsed = Papa.parse<string[]>(csv.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' })
  const [header, ...body] = parsed.data
  const columns = (header ?? []).map(columnOf)
  const missing = (['name', 'email'] as const).filter((c) => !columns.includes(c))
  if (missing.length > 0) {
    throw badRequest(
      'csv_columns_missing',
      `The file's first line must name the columns ${missing.join(', ')}`,
      {
        missing,
        expected: ['name', 'email', 'role', 'class'],
      },
    )
  }
  if (body.length === 0) throw badRequest('csv_empty', 'The file has no one to invite below its header line')
  if (body.length > IMPORT_MAX_ROWS) {
    throw badRequest('csv_too_long', `One import holds at most ${IMPORT_MAX_ROWS} people`, {
      max: IMPORT_MAX_ROWS,
    })
  }
  return body.map((cells, index) => {
    const value = (column: Column) => {
      const at = columns.indexOf(column)
      return at < 0 ? '' : (cells[at] ?? '').trim()
    }
    return {
      line: index + 2,
      name: value('name'),
      email: value('email').toLowerCase(),
      role: value('role'),
      className: value('class'),
    }
  })
}

/**
 * Checks every row of a member import against the school as it is, writing nothing: bad or repeated
 * addresses, members already there, unknown roles or roles the actor may not grant, and classes the school
 * lacks (a problem unless `createClasses`).
 */
export async function planImport(
  deps: IdentityDeps,
  orgId: string,
  actor: Actor,
  input: { csv: string; create_classes: boolean },
): Promise<ImportPlan> {
  const raw = parseCsv(input.csv)
  const emails = [...new Set(raw.map((r) => r.email).filter(looksLikeEmail))]
  const members = new Set(await repo.memberEmailsAmong(deps.db, orgId, emails))
  const classNames = [...new Set(raw.map((r) => r.className).filter(Boolean))]
  const known = new Map<string, ClassRef>()
  for (const cls of await deps.classes.byNames(orgId, classNames)) known.set(cls.name.toLowerCase(), cls)
  const newClasses = new Map<string, string>()
  const seen = new Set<string>()
  const mayGrantOwner = actor === 'cli' || actor.isSuperadmin || actor.role === 'owner'

  const rows = raw.map((r): ImportRow => {
    const problems: ImportProblem[] = []
    const role = roleOf(r.role)
    const effectiveRole: Role | null = role === 'unknown' ? null : (role ?? 'student')
    if (!r.name) problems.push('name_missing')
    if (!looksLikeEmail(r.email)) problems.push('email_invalid')
    else if (seen.has(r.email)) problems.push('duplicate_in_file')
    else if (members.has(r.email)) problems.push('already_member')
    seen.add(r.email)
    if (role === 'unknown') problems.push('role_unknown')
    if (effectiveRole === 'owner' && !mayGrantOwner) problems.push('role_not_allowed')
    const cls = r.className ? known.get(r.className.toLowerCase()) : undefined
    if (r.className && effectiveRole && effectiveRole !== 'student') problems.push('class_for_students_only')
    if (r.className && !cls) {
      if (!input.create_classes) problems.push('class_unknown')
      if (!newClasses.has(r.className.toLowerCase())) newClasses.set(r.className.toLowerCase(), r.className)
    }
    return {
      line: r.line,
      name: r.name,
      email: r.email,
      role: effectiveRole,
      class_name: cls?.name ?? (r.className || null),
      class_id: cls?.id ?? null,
      problems,
    }
  })
  return {
    rows,
    new_classes: [...newClasses.values()],
    valid: rows.every((r) => r.problems.length === 0),
  }
}

/**
 * Imports members: invites everyone of the file, creating the missing classes when asked, all in one
 * transaction. Any problem in any row refuses the whole file (400 `import_invalid`, the rows in details):
 * nothing is written.
 */
export async function importMembers(
  deps: IdentityDeps,
  orgId: string,
  actor: Actor,
  invitedBy: string | null,
  input: { csv: string; create_classes: boolean; expires_in_days: number },
) {
  const plan = await planImport(deps, orgId, actor, input)
  if (!plan.valid) {
    throw badRequest('import_invalid', 'Some rows cannot be imported: nothing was written', {
      rows: plan.rows.filter((r) => r.problems.length > 0),
    })
  }
  const org = await getOrganisation(deps, orgId)
  return deps.db.transaction().execute(async (trx) => {
    const created = await deps.classes.create(trx, orgId, plan.new_classes)
    const classes = new Map(created.map((c) => [c.name.toLowerCase(), c]))
    const invitations = []
    for (const row of plan.rows) {
      const cls = row.class_id
        ? { id: row.class_id, name: row.class_name ?? '' }
        : row.class_name
          ? classes.get(row.class_name.toLowerCase())
          : undefined
      const { row: invitation, url } = await newInvitation(deps, invitedBy, {
        email: row.email,
        name: row.name,
        role: row.role ?? 'student',
        expires_in_days: input.expires_in_days,
        class_id: cls?.id ?? null,
      })
      await repo.insertInvitation(trx, orgId, invitation)
      await auditInvitation(deps, trx, orgId, actor, invitation, { class: cls?.name ?? null, imported: true })
      await queueInvitationMail(deps, trx, org, invitedBy, invitation, url)
      invitations.push({ ...invitation, class: cls ?? null, url })
    }
    return { invitations, created_classes: created }
  })
}
