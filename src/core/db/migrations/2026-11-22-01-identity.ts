import { type Kysely, sql } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Identity: schools, accounts, memberships, sessions, tokens, invitations and the Unified.to-shaped
// learner and instructor profiles. `users`, `auth_accounts`, `sessions`, `auth_verifications` and
// `auth_rate_limits` follow the layout better-auth expects (see modules/identity/auth.ts).

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('organisations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('default_locale', 'text', (c) => c.notNull().defaultTo('fr'))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('Europe/Paris'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_verified', t.authBoolean, (c) => c.notNull().defaultTo(sql`false`))
    .addColumn('image', 'text')
    .addColumn('locale', 'text')
    .addColumn('is_superadmin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_org_id', 'text', (c) => c.references('organisations.id').onDelete('set null'))
    .addColumn('created_at', t.authTimestamp, (c) => c.notNull())
    .addColumn('updated_at', t.authTimestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('users_email_unique')
    .unique()
    .on('users')
    .expression(sql`lower(email)`)
    .execute()

  await db.schema
    .createTable('auth_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('access_token', 'text')
    .addColumn('refresh_token', 'text')
    .addColumn('id_token', 'text')
    .addColumn('access_token_expires_at', t.authTimestamp)
    .addColumn('refresh_token_expires_at', t.authTimestamp)
    .addColumn('scope', 'text')
    .addColumn('password', 'text')
    .addColumn('created_at', t.authTimestamp, (c) => c.notNull())
    .addColumn('updated_at', t.authTimestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('auth_accounts_user_id').on('auth_accounts').column('user_id').execute()

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', t.authTimestamp, (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', t.authTimestamp, (c) => c.notNull())
    .addColumn('updated_at', t.authTimestamp, (c) => c.notNull())
    .addColumn('ip_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('active_org_id', 'text', (c) => c.references('organisations.id').onDelete('set null'))
    .execute()
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute()

  await db.schema
    .createTable('auth_verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('expires_at', t.authTimestamp, (c) => c.notNull())
    .addColumn('created_at', t.authTimestamp, (c) => c.notNull())
    .addColumn('updated_at', t.authTimestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('auth_verifications_identifier')
    .on('auth_verifications')
    .column('identifier')
    .execute()

  await db.schema
    .createTable('auth_rate_limits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('last_request', t.bigint, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('memberships')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('memberships_org_user', ['org_id', 'user_id'])
    .execute()
  await db.schema.createIndex('memberships_user_id').on('memberships').column('user_id').execute()

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('accepted_at', t.timestamp)
    .addColumn('accepted_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('revoked_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('invitations_org_email')
    .on('invitations')
    .columns(['org_id', 'email'])
    .execute()

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('expires_at', t.timestamp)
    .addColumn('last_used_at', t.timestamp)
    .addColumn('revoked_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('api_tokens_org_user').on('api_tokens').columns(['org_id', 'user_id']).execute()

  for (const table of ['lms_student', 'lms_instructor']) {
    await db.schema
      .createTable(table)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('name', 'text')
      .addColumn('first_name', 'text')
      .addColumn('last_name', 'text')
      .addColumn('emails_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('address_json', 'text')
      .addColumn('telephones_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('image_url', 'text')
      .addColumn('title', 'text')
      .addColumn('raw_json', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex(`${table}_org_user`)
      .unique()
      .on(table)
      .columns(['org_id', 'user_id'])
      .execute()
    await db.schema.createIndex(`${table}_org_updated`).on(table).columns(['org_id', 'updated_at']).execute()
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'lms_instructor',
    'lms_student',
    'api_tokens',
    'invitations',
    'memberships',
    'auth_rate_limits',
    'auth_verifications',
    'sessions',
    'auth_accounts',
    'users',
    'organisations',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
