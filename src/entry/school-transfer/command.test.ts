import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sillon } from '../../../test/helpers/cli.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { PASSWORD } from '../../../test/helpers/factories.ts'
import { emptyInstance, withDatabase } from '../../../test/helpers/instances.ts'

describe('the sillon school commands', () => {
  it('export a school by its slug and import it into another instance; a second import exits with 1', async () => {
    const dialects = testDialects()
    const [a, b] = [
      await emptyInstance('sqlite'),
      await emptyInstance(dialects[dialects.length - 1] ?? 'sqlite'),
    ]
    const file = join(a.dataDir, 'moving.tar.gz')
    try {
      expect((await sillon(['org', 'create', 'moving', '--name', 'Moving'], a.env)).code).toBe(0)
      const owner = [
        '--org',
        'moving',
        '--email',
        'owner@moving.example',
        '--role',
        'owner',
        '--password',
        PASSWORD,
      ]
      expect((await sillon(['user', 'create', ...owner], a.env)).code).toBe(0)
      expect((await sillon(['school', 'export', 'moving'], a.env)).code).toBe(2)
      const exported = await sillon(['school', 'export', 'moving', file], a.env)
      expect(exported).toMatchObject({ code: 0, stderr: '' })
      expect(exported.stdout).toContain(`moving exported to ${file}: 1 member(s), 0 course(s)`)
      const imported = await sillon(['school', 'import', file], b.env)
      expect(imported).toMatchObject({ code: 0, stderr: '' })
      expect(imported.stdout).toContain('moving (Moving) imported')
      const again = await sillon(['school', 'import', file], b.env)
      expect(again.code).toBe(1)
      expect(again.stderr).toContain('already has a school with the slug moving')
      const members = await withDatabase(b, (handle) =>
        handle.db.selectFrom('users').select(['email', 'is_superadmin']).execute(),
      )
      expect(members).toEqual([{ email: 'owner@moving.example', is_superadmin: 0 }])
    } finally {
      await a.drop()
      await b.drop()
    }
  })
})
