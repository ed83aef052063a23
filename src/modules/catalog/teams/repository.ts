import type { Updateable } from 'kysely'
import type { Db } from '../../../core/db/database.ts'
import { containsText } from '../../../core/db/like.ts'
import type { TeamRow } from '../tables.ts'

export type TeamPage = { query?: string; limit: number; offset: number }

/** A page of the organisation's teams by name, searched by name, with the total across all pages. */
export async function pageTeams(db: Db, orgId: string, filter: TeamPage) {
  let query = db.selectFrom('teams').where('org_id', '=', orgId)
  if (filter.query) {
    const text = filter.query
    query = query.where((eb) => containsText(eb.ref('name'), text))
  }
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy('name').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.n) }
}

/** The teams a student belongs to, by name. */
export async function teamsOfStudent(db: Db, orgId: string, studentId: string) {
  return db
    .selectFrom('teams')
    .innerJoin('team_members', 'team_members.team_id', 'teams.id')
    .select(['teams.id', 'teams.name'])
    .where('teams.org_id', '=', orgId)
    .where('team_members.student_id', '=', studentId)
    .orderBy('teams.name')
    .orderBy('teams.id')
    .execute()
}

export async function teamsOfStudents(db: Db, orgId: string, studentIds: string[]) {
  if (studentIds.length === 0) return []
  return db
    .selectFrom('teams')
    .innerJoin('team_members', 'team_members.team_id', 'teams.id')
    .select(['team_members.student_id', 'teams.id', 'teams.name'])
    .where('teams.org_id', '=', orgId)
    .where('team_members.student_id', 'in', studentIds)
    .orderBy('teams.name')
    .orderBy('teams.id')
    .execute()
}

export async function getTeam(db: Db, orgId: string, teamId: string) {
  return db
    .selectFrom('teams')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', teamId)
    .executeTakeFirst()
}

/** The teams whose names are among these lower-case names, ignoring case. */
export async function teamsNamed(db: Db, orgId: string, lowerNames: string[]) {
  if (lowerNames.length === 0) return []
  return db
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', ['name']), 'in', lowerNames))
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export async function teamsByIds(db: Db, orgId: string, teamIds: string[]) {
  if (teamIds.length === 0) return []
  return db
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where('id', 'in', teamIds)
    .execute()
}

export async function findTeams(db: Db, orgId: string, teamIds: string[]) {
  if (teamIds.length === 0) return []
  return db.selectFrom('teams').select('id').where('org_id', '=', orgId).where('id', 'in', teamIds).execute()
}

export async function insertTeam(db: Db, orgId: string, row: Omit<TeamRow, 'org_id'>) {
  await db
    .insertInto('teams')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updateTeam(db: Db, orgId: string, teamId: string, patch: Updateable<TeamRow>) {
  await db.updateTable('teams').set(patch).where('org_id', '=', orgId).where('id', '=', teamId).execute()
}

export async function deleteTeam(db: Db, orgId: string, teamId: string) {
  await db.deleteFrom('teams').where('org_id', '=', orgId).where('id', '=', teamId).execute()
}

export async function teamMembers(db: Db, orgId: string, teamIds: string[]) {
  if (teamIds.length === 0) return []
  return db
    .selectFrom('team_members')
    .select(['team_id', 'student_id'])
    .where('org_id', '=', orgId)
    .where('team_id', 'in', teamIds)
    .orderBy('created_at')
    .orderBy('student_id')
    .execute()
}

export async function replaceTeamMembers(
  db: Db,
  orgId: string,
  teamId: string,
  studentIds: string[],
  at: string,
) {
  await db.deleteFrom('team_members').where('org_id', '=', orgId).where('team_id', '=', teamId).execute()
  if (studentIds.length === 0) return
  await db
    .insertInto('team_members')
    .values(studentIds.map((student_id) => ({ org_id: orgId, team_id: teamId, student_id, created_at: at })))
    .execute()
}

export async function addTeamMember(db: Db, orgId: string, teamId: string, studentId: string, at: string) {
  await db
    .insertInto('team_members')
    .values({ org_id: orgId, team_id: teamId, student_id: studentId, created_at: at })
    .onConflict((oc) => oc.columns(['team_id', 'student_id']).doNothing())
    .execute()
}

export async function removeTeamMember(db: Db, orgId: string, teamId: string, studentId: string) {
  const result = await db
    .deleteFrom('team_members')
    .where('org_id', '=', orgId)
    .where('team_id', '=', teamId)
    .where('student_id', '=', studentId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
