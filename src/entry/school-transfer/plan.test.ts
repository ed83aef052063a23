import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers/databases.ts'
import { type CopiedTable, copiedTables, excludedTables, userReferences } from './plan.ts'

describe('what a school archive holds', () => {
  it('copies every tenant table, or leaves it out with a reason, and the accounts its rows reference', async () => {
    const database = await createTestDatabase('sqlite')
    try {
      const { rows } = await sql<{
        name: string
      }>`select name from sqlite_master where type = 'table'`.execute(database.db)
      const copied: readonly string[] = copiedTables
      for (const { name } of rows) {
        const columns = await sql<{ name: string }>`select name from pragma_table_info(${name})`.execute(
          database.db,
        )
        if (!columns.rows.some((c) => c.name === 'org_id')) continue
        expect(
          copied.includes(name) !== name in excludedTables,
          `${name}: copied, or excluded with a reason`,
        ).toBe(true)
        if (!copied.includes(name)) continue
        const keys = await sql<{ table: string; from: string }>`select "table", "from"
          from pragma_foreign_key_list(${name})`.execute(database.db)
        const toUsers = keys.rows.filter((k) => k.table === 'users').map((k) => k.from)
        expect(toUsers.sort(), `${name}: its references to accounts travel`).toEqual(
          [...(userReferences[name as CopiedTable] ?? [])].sort(),
        )
      }
    } finally {
      await database.drop()
    }
  })
})
