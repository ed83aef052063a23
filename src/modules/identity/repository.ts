import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../../core/db/database.ts'
import { containsText } from '../../core/db/like.ts'
import type {
  ApiTokenRow,
  InvitationRow,
  LmsPersonRow,
  Locale,
  MembershipRow,
  OrganisationRow,
  Role,
  UserRow,
} from './tables.ts'

// Organisations and users are platform-wide; every other query is scoped by its organisation.

export type PersonTable = 'lms_student' | 'lms_instructor'

export async function findOrganisationBySlug(db: Db, slug: string) {
  return db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst()
}

export async function getOrganisation(db: Db, orgId: string) {
  return db.selectFrom('organisations').selectAll().where('id', '=', orgId).executeTakeFirst()
}

export async function listOrganisations(db: Db) {
  return db.selectFrom('organisations').selectAll().orderBy('name').execute()
}

export async function insertOrganisation(db: Db, row: OrganisationRow) {
  await db.insertInto('organisations').values(row).execute()
}

export async function updateOrganisation(db: Db, orgId: string, patch: Updateable<OrganisationRow>) {
  await db.updateTable('organisations').set(patch).where('id', '=', orgId).execute()
}

export async function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst()
}

export async function getUser(db: Db, userId: string) {
  return db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst()
}

export async function insertUser(db: Db, row: Insertable<UserRow>) {
  await db.insertInto('users').values(row).execute()
}

export async function insertPasswordAccount(
  db: Db,
  row: { id: string; userId: string; passwordHash: string; at: Date },
) {
  await db
    .insertInto('auth_accounts')
    .values({
      id: row.id,
      account_id: row.userId,
      provider_id: 'credential',
      user_id: row.userId,
      password: row.passwordHash,
      created_at: row.at.toISOString(),
      updated_at: row.at.toISOString(),
    })
    .execute()
}

export async function updateUser(
  db: Db,
  userId: string,
  patch: { name?: string; locale?: Locale | null },
  at: string,
) {
  await db
    .updateTable('users')
    .set({ ...patch, updated_at: at })
    .where('id', '=', userId)
    .execute()
}

/** Sets the account's picture address if it is still `from`; false when it changed meanwhile. */
export async function replaceUserImage(
  db: Db,
  userId: string,
  from: string | null,
  to: string | null,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ image: to, updated_at: at })
    .where('id', '=', userId)
    .where((eb) => (from === null ? eb('image', 'is', null) : eb('image', '=', from)))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Whether two accounts are members of one same organisation. */
export async function shareAnOrganisation(db: Db, userId: string, otherUserId: string): Promise<boolean> {
  const row = await db
    .selectFrom('memberships as mine')
    .innerJoin('memberships as theirs', 'theirs.org_id', 'mine.org_id')
    .select('mine.org_id')
    .where('mine.user_id', '=', userId)
    .where('theirs.user_id', '=', otherUserId)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

export async function setSuperadmin(db: Db, userId: string, superadmin: boolean) {
  await db
    .updateTable('users')
    .set({ is_superadmin: superadmin ? 1 : 0 })
    .where('id', '=', userId)
    .execute()
}

export async function setLastOrganisation(db: Db, userId: string, orgId: string) {
  await db.updateTable('users').set({ last_org_id: orgId }).where('id', '=', userId).execute()
}

export async function setSessionOrganisation(db: Db, sessionId: string, orgId: string) {
  await db.updateTable('sessions').set({ active_org_id: orgId }).where('id', '=', sessionId).execute()
}

export async function setOrganisationOfSessionToken(db: Db, sessionToken: string, orgId: string) {
  await db.updateTable('sessions').set({ active_org_id: orgId }).where('token', '=', sessionToken).execute()
}

export async function getMembership(db: Db, orgId: string, userId: string) {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
}

/** Every organisation a user belongs to, with their role there. */
export async function listMembershipsOfUser(db: Db, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('organisations', 'organisations.id', 'memberships.org_id')
    .select(['organisations.id', 'organisations.slug', 'organisations.name', 'memberships.role'])
    .where('memberships.user_id', '=', userId)
    .orderBy('organisations.name')
    .execute()
}

export type MemberFilter = { role?: Role; query?: string; limit: number; offset: number }

function memberQuery(db: Db, orgId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .where('memberships.org_id', '=', orgId)
}

export async function listMembers(db: Db, orgId: string, filter: MemberFilter) {
  let query = memberQuery(db, orgId)
  if (filter.role) query = query.where('memberships.role', '=', filter.role)
  if (filter.query) {
    const text = filter.query
    query = query.where((eb) =>
      eb.or([containsText(eb.ref('users.name'), text), containsText(eb.ref('users.email'), text)]),
    )
  }
  const [rows, total] = await Promise.all([
    query
      .select([
        'users.id as user_id',
        'users.name',
        'users.email',
        'users.image',
        'memberships.role',
        'memberships.created_at',
        'memberships.updated_at',
      ])
      .orderBy('users.name')
      .orderBy('users.id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.n) }
}

/** The members of the school among these accounts, with their name and role (an account not a member is absent). */
export async function membersAmong(db: Db, orgId: string, userIds: string[]) {
  if (userIds.length === 0) return []
  return memberQuery(db, orgId)
    .select(['users.id as user_id', 'users.name', 'memberships.role'])
    .where('users.id', 'in', userIds)
    .execute()
}

/** Where and in which language to write to these members: their own locale, else the school's. */
export async function contactsOf(db: Db, orgId: string, userIds: string[]) {
  if (userIds.length === 0) return []
  return memberQuery(db, orgId)
    .innerJoin('organisations', 'organisations.id', 'memberships.org_id')
    .select([
      'users.id as user_id',
      'users.name',
      'users.email',
      'users.locale',
      'organisations.default_locale',
    ])
    .where('users.id', 'in', userIds)
    .execute()
}

export async function getMember(db: Db, orgId: string, userId: string) {
  return memberQuery(db, orgId)
    .select([
      'users.id as user_id',
      'users.name',
      'users.email',
      'users.image',
      'memberships.role',
      'memberships.created_at',
      'memberships.updated_at',
    ])
    .where('users.id', '=', userId)
    .executeTakeFirst()
}

export async function insertMembership(db: Db, orgId: string, row: Omit<MembershipRow, 'org_id'>) {
  await db
    .insertInto('memberships')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updateMembershipRole(db: Db, orgId: string, userId: string, role: Role, at: string) {
  await db
    .updateTable('memberships')
    .set({ role, updated_at: at })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .execute()
}

export async function deleteMembership(db: Db, orgId: string, userId: string) {
  await db.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', userId).execute()
}

export async function countOwners(db: Db, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertInvitation(db: Db, orgId: string, row: Omit<InvitationRow, 'org_id'>) {
  await db
    .insertInto('invitations')
    .values({ ...row, org_id: orgId })
    .execute()
}

/** Which of these (lower-case) addresses belong to members of the organisation. */
export async function memberEmailsAmong(db: Db, orgId: string, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return []
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.email')
    .where('memberships.org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', ['users.email']), 'in', emails))
    .execute()
  return rows.map((r) => r.email.toLowerCase())
}

export async function listPendingInvitations(db: Db, orgId: string, now: string) {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute()
}

export async function getInvitation(db: Db, orgId: string, invitationId: string) {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', invitationId)
    .executeTakeFirst()
}

/** Looks an invitation up by the hash of its secret link: the secret itself is the credential. */
export async function findInvitationByTokenHash(db: Db, tokenHash: string) {
  return db.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst()
}

/** Marks the invitation used; false when someone else used or revoked it first. */
export async function claimInvitation(
  db: Db,
  orgId: string,
  invitationId: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ accepted_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', invitationId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function setInvitationAcceptedBy(db: Db, orgId: string, invitationId: string, userId: string) {
  await db
    .updateTable('invitations')
    .set({ accepted_by: userId })
    .where('org_id', '=', orgId)
    .where('id', '=', invitationId)
    .execute()
}

export async function revokeInvitation(db: Db, orgId: string, invitationId: string, at: string) {
  await db
    .updateTable('invitations')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', invitationId)
    .where('revoked_at', 'is', null)
    .execute()
}

export async function insertApiToken(db: Db, orgId: string, row: Omit<ApiTokenRow, 'org_id'>) {
  await db
    .insertInto('api_tokens')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function listApiTokens(db: Db, orgId: string, filter: { userId?: string }) {
  let query = db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('api_tokens')
    .select(['users.email as user_email'])
    .where('api_tokens.org_id', '=', orgId)
    .where('api_tokens.revoked_at', 'is', null)
  if (filter.userId) query = query.where('api_tokens.user_id', '=', filter.userId)
  return query.orderBy('api_tokens.created_at', 'desc').execute()
}

export type ApiTokenPage = { userId?: string; query?: string; limit: number; offset: number }

/** A page of the organisation's live tokens, newest first, searched by name, prefix or owner's e-mail. */
export async function pageApiTokens(db: Db, orgId: string, filter: ApiTokenPage) {
  let query = db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .where('api_tokens.org_id', '=', orgId)
    .where('api_tokens.revoked_at', 'is', null)
  if (filter.userId) query = query.where('api_tokens.user_id', '=', filter.userId)
  if (filter.query) {
    const text = filter.query
    query = query.where((eb) =>
      eb.or([
        containsText(eb.ref('api_tokens.name'), text),
        containsText(eb.ref('api_tokens.token_prefix'), text),
        containsText(eb.ref('users.email'), text),
      ]),
    )
  }
  const [rows, total] = await Promise.all([
    query
      .selectAll('api_tokens')
      .select(['users.email as user_email'])
      .orderBy('api_tokens.created_at', 'desc')
      .orderBy('api_tokens.id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.n) }
}

export async function getApiToken(db: Db, orgId: string, tokenId: string) {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
}

export async function revokeApiToken(db: Db, orgId: string, tokenId: string, at: string) {
  await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .execute()
}

/** Looks a token up by the hash of its secret: the secret itself is the credential. */
export async function findApiTokenByHash(db: Db, tokenHash: string) {
  return db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst()
}

export async function touchApiToken(db: Db, orgId: string, tokenId: string, at: string) {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .execute()
}

export type PersonFilter = {
  query?: string
  updatedGte?: string
  /** Only these profiles. */
  ids?: string[]
  limit: number
  offset: number
}

export async function listPersons(db: Db, orgId: string, table: PersonTable, filter: PersonFilter) {
  if (filter.ids?.length === 0) return []
  let query = db.selectFrom(table).selectAll().where('org_id', '=', orgId)
  if (filter.ids) query = query.where('id', 'in', filter.ids)
  if (filter.updatedGte) query = query.where('updated_at', '>=', filter.updatedGte)
  if (filter.query) {
    const text = filter.query
    query = query.where((eb) =>
      eb.or([containsText(eb.ref('name'), text), containsText(eb.ref('emails_json'), text)]),
    )
  }
  return query.orderBy('updated_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute()
}

export async function getPerson(db: Db, orgId: string, table: PersonTable, personId: string) {
  return db
    .selectFrom(table)
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', personId)
    .executeTakeFirst()
}

export async function findPersons(db: Db, orgId: string, table: PersonTable, personIds: string[]) {
  if (personIds.length === 0) return []
  return db
    .selectFrom(table)
    .select(['id', 'name', 'user_id', 'emails_json'])
    .where('org_id', '=', orgId)
    .where('id', 'in', personIds)
    .execute()
}

export async function findPersonOfUser(db: Db, orgId: string, table: PersonTable, userId: string) {
  return db
    .selectFrom(table)
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
}

/** The profiles of these users in the organisation (users without one are absent). */
export async function findPersonsOfUsers(db: Db, orgId: string, table: PersonTable, userIds: string[]) {
  if (userIds.length === 0) return []
  return db
    .selectFrom(table)
    .select(['id', 'user_id'])
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .execute()
}

export async function insertPerson(
  db: Db,
  orgId: string,
  table: PersonTable,
  row: Omit<LmsPersonRow, 'org_id'>,
) {
  await db
    .insertInto(table)
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updatePerson(
  db: Db,
  orgId: string,
  table: PersonTable,
  personId: string,
  patch: Updateable<Omit<LmsPersonRow, 'id' | 'org_id' | 'user_id' | 'created_at'>>,
) {
  await db.updateTable(table).set(patch).where('org_id', '=', orgId).where('id', '=', personId).execute()
}

export async function deletePerson(db: Db, orgId: string, table: PersonTable, personId: string) {
  await db.deleteFrom(table).where('org_id', '=', orgId).where('id', '=', personId).execute()
}
