import type { Db } from '../../../core/db/database.ts'
import { notFound } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import * as identity from '../../identity/index.ts'
import { assertReferencesExist, assertWithinPlan } from '../courses/checks.ts'
import { type Actor, type CatalogDeps, now } from '../deps.ts'
import type { TeamRow } from '../tables.ts'
import { teamView } from './presenters.ts'
import * as repo from './repository.ts'

async function teamViews(deps: CatalogDeps, orgId: string, rows: TeamRow[]) {
  const members = await repo.teamMembers(
    deps.db,
    orgId,
    rows.map((r) => r.id),
  )
  return rows.map((row) => teamView(row, members))
}

export async function loadTeam(deps: CatalogDeps, orgId: string, teamId: string) {
  const team = await repo.getTeam(deps.db, orgId, teamId)
  if (!team) throw notFound('Team')
  return team
}

/** A page of teams and how many match the search in all. */
export async function listTeams(deps: CatalogDeps, actor: Actor, filter: repo.TeamPage) {
  const { rows, total } = await repo.pageTeams(deps.db, actor.orgId, filter)
  return { teams: await teamViews(deps, actor.orgId, rows), total }
}

/** The signed-in student's teams (what they can rank themselves in); members without a student profile have none. */
export async function myTeams(deps: CatalogDeps, actor: Actor) {
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  return studentId ? repo.teamsOfStudent(deps.db, actor.orgId, studentId) : []
}

export async function getTeam(deps: CatalogDeps, actor: Actor, teamId: string) {
  const [view] = await teamViews(deps, actor.orgId, [await loadTeam(deps, actor.orgId, teamId)])
  return view as NonNullable<typeof view>
}

type TeamInput = { name?: string; description?: string | null; student_ids?: string[] }

export async function createTeam(deps: CatalogDeps, actor: Actor, input: TeamInput & { name: string }) {
  await assertReferencesExist(deps, actor.orgId, { student_ids: input.student_ids })
  const at = now(deps)
  const id = newId()
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertTeam(trx, actor.orgId, {
      id,
      name: input.name,
      description: input.description ?? null,
      created_at: at,
      updated_at: at,
    })
    await repo.replaceTeamMembers(trx, actor.orgId, id, [...new Set(input.student_ids ?? [])], at)
    await assertWithinPlan(deps, trx, actor.orgId, false)
  })
  return getTeam(deps, actor, id)
}

export async function updateTeam(deps: CatalogDeps, actor: Actor, teamId: string, input: TeamInput) {
  await loadTeam(deps, actor.orgId, teamId)
  await assertReferencesExist(deps, actor.orgId, { student_ids: input.student_ids })
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    const patch: Partial<TeamRow> = { updated_at: at }
    if (input.name !== undefined) patch.name = input.name
    if (input.description !== undefined) patch.description = input.description
    await repo.updateTeam(trx, actor.orgId, teamId, patch)
    if (input.student_ids) {
      await repo.replaceTeamMembers(trx, actor.orgId, teamId, [...new Set(input.student_ids)], at)
    }
    await assertWithinPlan(deps, trx, actor.orgId, false)
  })
  return getTeam(deps, actor, teamId)
}

/** Creates empty teams by name inside the caller's transaction (a member import). */
export async function createTeamsIn(deps: CatalogDeps, db: Db, orgId: string, names: string[]) {
  const at = now(deps)
  const created = []
  for (const name of names) {
    const id = newId()
    await repo.insertTeam(db, orgId, { id, name, description: null, created_at: at, updated_at: at })
    created.push({ id, name })
  }
  return created
}

/** Puts a student in a team inside the caller's transaction (an accepted invitation); a deleted team is skipped. */
export async function joinTeamIn(
  deps: CatalogDeps,
  db: Db,
  orgId: string,
  teamId: string,
  studentId: string,
) {
  if (!(await repo.getTeam(db, orgId, teamId))) return
  const at = now(deps)
  await repo.addTeamMember(db, orgId, teamId, studentId, at)
  await repo.updateTeam(db, orgId, teamId, { updated_at: at })
  await assertWithinPlan(deps, db, orgId, false)
}

export async function deleteTeam(deps: CatalogDeps, actor: Actor, teamId: string) {
  await loadTeam(deps, actor.orgId, teamId)
  await repo.deleteTeam(deps.db, actor.orgId, teamId)
}

export async function addTeamMember(deps: CatalogDeps, actor: Actor, teamId: string, studentId: string) {
  await loadTeam(deps, actor.orgId, teamId)
  await assertReferencesExist(deps, actor.orgId, { student_ids: [studentId] })
  const at = now(deps)
  await deps.db.transaction().execute(async (trx) => {
    await repo.addTeamMember(trx, actor.orgId, teamId, studentId, at)
    await repo.updateTeam(trx, actor.orgId, teamId, { updated_at: at })
    await assertWithinPlan(deps, trx, actor.orgId, false)
  })
  return getTeam(deps, actor, teamId)
}

export async function removeTeamMember(deps: CatalogDeps, actor: Actor, teamId: string, studentId: string) {
  await loadTeam(deps, actor.orgId, teamId)
  if (!(await repo.removeTeamMember(deps.db, actor.orgId, teamId, studentId))) throw notFound('Team member')
  await repo.updateTeam(deps.db, actor.orgId, teamId, { updated_at: now(deps) })
}
