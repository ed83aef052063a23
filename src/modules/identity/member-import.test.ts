import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createMember, createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { importMembers } from './member-import.ts'

const tokenOf = (url: string) => new URL(url).hash.replace('#token=', '')
const STRONG = 'violet-harbour-lantern'

describe.each(testDialects())('member import on %s', (dialect) => {
  let t: TestApp
  let orgId: string
  let admin: Awaited<ReturnType<typeof signedInMember>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    orgId = (await createOrg(t)).id
    admin = await signedInMember(t, orgId, 'admin')
  })
  afterAll(() => t.close())

  const countRows = async (table: 'invitations' | 'teams') =>
    Number(
      (
        await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('org_id', '=', orgId)
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('previews every problem of a file without writing anything', async () => {
    await createMember(t, orgId, 'student', 'already@example.org')
    const team = await admin.client.post('/api/teams', { name: '4e A' })
    expect(team.status).toBe(201)
    const csv = [
      'Nom;E-mail;Rôle;Classe',
      'Ana Lima;ana@example.org;;4E A',
      'No Mail;not-an-address;élève;4e A',
      ';nameless@example.org;;',
      'Ana Again;ANA@example.org;;',
      'Already;already@example.org;;',
      'Teacher;teacher@example.org;formatrice;4e A',
      'Boss;boss@example.org;owner;',
      'Who;who@example.org;wizard;',
      'New Class;newclass@example.org;student;5e B',
    ].join('\n')
    const before = { invitations: await countRows('invitations'), teams: await countRows('teams') }

    const res = await admin.client.post('/api/members/import/preview', { csv })

    expect(res.status).toBe(200)
    expect(res.body.valid).toBe(false)
    expect(res.body.new_classes).toEqual(['5e B'])
    expect(res.body.rows.map((r: { line: number; problems: string[] }) => [r.line, r.problems])).toEqual([
      [2, []],
      [3, ['email_invalid']],
      [4, ['name_missing']],
      [5, ['duplicate_in_file']],
      [6, ['already_member']],
      [7, ['class_for_students_only']],
      [8, ['role_not_allowed']],
      [9, ['role_unknown']],
      [10, ['class_unknown']],
    ])
    expect(res.body.rows[0]).toMatchObject({
      email: 'ana@example.org',
      role: 'student',
      class_name: '4e A',
      class_id: team.body.id,
    })
    expect(await countRows('invitations')).toBe(before.invitations)
    expect(await countRows('teams')).toBe(before.teams)
  })

  it('refuses the whole file when one row is wrong, writing no invitation and no class', async () => {
    const before = { invitations: await countRows('invitations'), teams: await countRows('teams') }
    const csv = 'name,email,class\nGood One,good1@example.org,6e C\nBad One,bad-address,6e C\n'

    const res = await admin.client.post('/api/members/import', { csv, create_classes: true })

    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('import_invalid')
    expect(res.body.error.details.rows).toEqual([
      expect.objectContaining({ line: 3, problems: ['email_invalid'] }),
    ])
    expect(await countRows('invitations')).toBe(before.invitations)
    expect(await countRows('teams')).toBe(before.teams)
  })

  it('rolls back the invitations and classes already written when a later row fails to write', async () => {
    const before = { invitations: await countRows('invitations'), teams: await countRows('teams') }
    let links = 0
    // The second invitation's link cannot be made: the class and the first invitation are already written.
    const failing = Object.defineProperty({ ...t.identity }, 'publicUrl', {
      get: () => {
        links += 1
        if (links === 2) throw new Error('link failure')
        return t.url
      },
    })
    const csv = 'name,email,class\nFirst,first@example.org,10e G\nSecond,second@example.org,10e G\n'

    await expect(
      importMembers(failing, orgId, 'cli', admin.userId, { csv, create_classes: true, expires_in_days: 7 }),
    ).rejects.toThrow('link failure')

    expect(links).toBe(2)
    expect(await countRows('invitations')).toBe(before.invitations)
    expect(await countRows('teams')).toBe(before.teams)
  })

  it('refuses a file without the name and e-mail columns', async () => {
    const res = await admin.client.post('/api/members/import/preview', { csv: 'first,last\nA,B\n' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('csv_columns_missing')
    expect(res.body.error.details.missing).toEqual(['name', 'email'])
  })

  it('invites everyone at once, creates the missing classes, and accepting puts the student in the class', async () => {
    const csv =
      'name,email,role,class\nZoé Martin,zoe@example.org,,8e E\nIgor Petit,igor@example.org,instructor,\n'

    const res = await admin.client.post('/api/members/import', { csv, create_classes: true })

    expect(res.status).toBe(201)
    expect(res.body.created_classes).toEqual([{ id: expect.any(String), name: '8e E' }])
    const classId = res.body.created_classes[0].id
    expect(res.body.invitations).toEqual([
      expect.objectContaining({
        email: 'zoe@example.org',
        role: 'student',
        class: { id: classId, name: '8e E' },
      }),
      expect.objectContaining({ email: 'igor@example.org', role: 'instructor', class: null }),
    ])
    const pending = await admin.client.get('/api/invitations')
    expect(pending.body.data).toContainEqual(
      expect.objectContaining({ email: 'zoe@example.org', class: { id: classId, name: '8e E' } }),
    )

    const zoe = t.client()
    const accepted = await zoe.post('/api/invitations/accept', {
      token: tokenOf(res.body.invitations[0].url),
      password: STRONG,
    })
    expect(accepted.status).toBe(200)
    const me = await zoe.get('/api/auth/me')
    expect(me.body.user.name).toBe('Zoé Martin')
    const team = await admin.client.get(`/api/teams/${classId}`)
    expect(team.body.student_ids).toEqual([me.body.student_id])
  })

  it('invites one student straight into an existing class, and refuses a class for other roles', async () => {
    const team = await admin.client.post('/api/teams', { name: '9e F' })
    const invited = await admin.client.post('/api/members', {
      email: 'solo@example.org',
      name: 'Solo Student',
      role: 'student',
      class_id: team.body.id,
    })
    expect(invited.status).toBe(201)
    expect(invited.body.class).toEqual({ id: team.body.id, name: '9e F' })
    const solo = t.client()
    await solo.post('/api/invitations/accept', { token: tokenOf(invited.body.url), password: STRONG })
    const me = await solo.get('/api/auth/me')
    expect((await admin.client.get(`/api/teams/${team.body.id}`)).body.student_ids).toEqual([
      me.body.student_id,
    ])

    const teacher = await admin.client.post('/api/members', {
      email: 'teach@example.org',
      name: 'Teach',
      role: 'instructor',
      class_id: team.body.id,
    })
    expect(teacher.status).toBe(400)
    expect(teacher.body.error.code).toBe('class_for_students_only')
    const unknown = await admin.client.post('/api/members', {
      email: 'lost@example.org',
      name: 'Lost',
      role: 'student',
      class_id: 'no-such-class',
    })
    expect(unknown.status).toBe(404)
  })
})
