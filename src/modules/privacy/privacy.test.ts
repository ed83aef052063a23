import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.ts'
import { sillon as runSillon } from '../../../test/helpers/cli.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createMember, createOrg, signedInMember, signIn } from '../../../test/helpers/factories.ts'
import { withProjectorLock } from '../../core/events/projector.ts'
import { addMember } from '../identity/index.ts'

// The routes of the GDPR requests: who may ask, what they get, and the refusals that leave everything as it was.

describe.each(testDialects())('personal data requests on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let owner: { userId: string; client: TestClient }
  let admin: TestClient

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    owner = await signedInMember(t, orgId, 'owner')
    admin = (await signedInMember(t, orgId, 'admin')).client
  })
  afterAll(() => t.close())

  const membership = (userId: string) =>
    t.database.db
      .selectFrom('memberships')
      .select('role')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .executeTakeFirst()

  it("gives a member their own data, every module's part, and records it in the audit log", async () => {
    const student = await signedInMember(t, orgId, 'student')
    const res = await student.client.get('/api/me/data')
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="my-data-\d{4}-\d\d-\d\d\.json"$/,
    )
    expect(res.body.person).toMatchObject({ user_id: student.userId, email: student.email, role: 'student' })
    expect(Object.keys(res.body.modules)).toEqual(t.privacy.ports.map((p) => p.module))
    expect(res.body.modules.identity.account.email).toBe(student.email)
    expect(JSON.stringify(res.body)).not.toMatch(/password|token_hash/)
    const entry = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('action', '=', 'person.exported')
      .where('target_id', '=', student.userId)
      .executeTakeFirst()
    expect(entry?.actor_id).toBe(student.userId)
  })

  it("lets an administrator produce a member's data, and nobody else's", async () => {
    const student = await createMember(t, orgId, 'student')
    const res = await admin.get(`/api/members/${student.userId}/data`)
    expect(res.status).toBe(200)
    expect(res.body.person.email).toBe(student.email)
    const instructor = (await signedInMember(t, orgId, 'instructor')).client
    expect((await instructor.get(`/api/members/${student.userId}/data`)).status).toBe(403)
    const otherSchool = await createOrg(t)
    const otherAdmin = (await signedInMember(t, otherSchool.id, 'admin')).client
    const foreign = await otherAdmin.get(`/api/members/${student.userId}/data`)
    expect(foreign.status).toBe(404)
    expect(foreign.body.error.code).toBe('not_found')
  })

  it("gives the same data as a readable page in the school's language, with nothing that can run", async () => {
    const email = `page-${Date.now().toString(36)}@example.org`
    const { member } = await addMember(t.identity, orgId, 'cli', {
      email,
      name: '<script>alert(1)</script> Léa',
      role: 'student',
      password: 'a-long-and-unusual-passphrase-42',
    })
    const res = await admin.get(`/api/members/${member.user_id}/data.html`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'")
    expect(res.body).toContain('<html lang="fr">')
    expect(res.body).toContain('Mes données personnelles')
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Léa')
    expect(res.body).not.toContain('<script>')
    const mine = await (await signIn(t, email, 'a-long-and-unusual-passphrase-42')).get('/api/me/data.html')
    expect(mine.status).toBe(200)
    expect(mine.headers.get('content-disposition')).toBeNull()
  })

  it('refuses an erasure whose confirmation is not the e-mail, another school, and an owner for an admin', async () => {
    const student = await createMember(t, orgId, 'student')
    const wrong = await admin.post(`/api/members/${student.userId}/erase`, {
      confirm_email: 'someone@else.org',
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.code).toBe('confirmation_mismatch')
    const otherSchool = await createOrg(t)
    const otherOwner = (await signedInMember(t, otherSchool.id, 'owner')).client
    const foreign = await otherOwner.post(`/api/members/${student.userId}/erase`, {
      confirm_email: student.email,
    })
    expect(foreign.status).toBe(404)
    expect((await membership(student.userId))?.role).toBe('student')
    const ownerMember = await t.database.db
      .selectFrom('users')
      .select('email')
      .where('id', '=', owner.userId)
      .executeTakeFirstOrThrow()
    const byAdmin = await admin.post(`/api/members/${owner.userId}/erase`, {
      confirm_email: ownerMember.email,
    })
    expect(byAdmin.status).toBe(403)
  })

  it('refuses to erase the last owner, and changes nothing', async () => {
    const school = await createOrg(t)
    const only = await signedInMember(t, school.id, 'owner')
    const res = await only.client.post(`/api/members/${only.userId}/erase`, { confirm_email: only.email })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('last_owner')
    expect((await only.client.get('/api/me/data')).body.person.role).toBe('owner')
    const entries = await t.database.db
      .selectFrom('audit_log')
      .select('id')
      .where('org_id', '=', school.id)
      .where('action', '=', 'person.erased')
      .execute()
    expect(entries).toEqual([])
  })

  it.runIf(dialect === 'postgres')(
    'waits for a projector batch in flight before rewriting its rows',
    async () => {
      const student = await createMember(t, orgId, 'student')
      const waiting = async () => {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks
        where locktype = 'advisory' and not granted
          and database = (select oid from pg_database where datname = current_database())`.execute(
          t.database.db,
        )
        return (rows[0]?.n ?? 0) > 0
      }
      let erasure: Promise<{ status: number }> | undefined
      let settled = false
      await withProjectorLock(t.database.db, 'user_progress', async () => {
        erasure = owner.client
          .post(`/api/members/${student.userId}/erase`, { confirm_email: student.email })
          .finally(() => {
            settled = true
          })
        // Until the batch commits, the erasure waits on its lock, having written nothing.
        while (!(await waiting())) {
          expect(settled, 'the erasure went on while a batch was in flight').toBe(false)
          await new Promise((resolve) => setImmediate(resolve))
        }
        expect(await membership(student.userId)).toBeDefined()
      })
      expect((await erasure)?.status).toBe(200)
      expect(await membership(student.userId)).toBeUndefined()
    },
  )

  it('keeps the account of a person another school still has, without anything of this school', async () => {
    const other = await createOrg(t)
    const student = await createMember(t, orgId, 'student')
    await addMember(t.identity, other.id, 'cli', {
      email: student.email,
      name: 'Test student',
      role: 'student',
    })
    const res = await owner.client.post(`/api/members/${student.userId}/erase`, {
      confirm_email: student.email,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toEqual({ account_deleted: false })
    expect(await membership(student.userId)).toBeUndefined()
    const client = await signIn(t, student.email)
    const me = await client.get('/api/me/data')
    expect(me.status).toBe(200)
    expect(me.body.school.id).toBe(other.id)
    const entry = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('action', '=', 'person.erased')
      .executeTakeFirstOrThrow()
    expect([entry.target_id, entry.target_label]).not.toContain(student.userId)
    expect(entry.actor_id).toBe(owner.userId)
  })
})

describe('sillon privacy erase', () => {
  let dataDir: string
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sillon-privacy-'))
  })
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  const sillon = (...args: string[]) =>
    runSillon(args, { DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1:4000' })

  it('erases a member of a school by e-mail, once', async () => {
    expect((await sillon('org', 'create', 'lycee', '--name', 'Lycée')).code).toBe(0)
    const email = 'lea@example.org'
    const created = await sillon(
      ...['user', 'create', '--org', 'lycee', '--email', email, '--role', 'student', '--name', 'Léa Martin'],
      ...['--password', 'a-long-and-unusual-passphrase-42'],
    )
    expect(created.code, created.stderr).toBe(0)
    const erased = await sillon('privacy', 'erase', '--org', 'lycee', '--email', email)
    expect(erased.code, erased.stderr).toBe(0)
    expect(erased.stdout).toContain(`${email} erased from lycee; account deleted`)
    const again = await sillon('privacy', 'erase', '--org', 'lycee', '--email', email)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`Member ${email} not found`)
  })
})
