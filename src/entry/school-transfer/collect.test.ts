import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestDatabase,
  insertOrganisation,
  insertStudents,
  type TestDatabase,
  testDialects,
} from '../../../test/helpers/databases.ts'
import { diskFileStore } from '../../core/files/disk-file-store.ts'
import { collectSchool } from './collect.ts'

// A school larger than one page of each kind: its students (paged by id) and a read model keyed by
// student (paged by groups of students) come out whole, once each, and another school's rows not at all.

const lines = (dir: string, table: string) =>
  readFileSync(join(dir, 'tables', `${table}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)

describe.each(testDialects())('collecting a large school on %s', (dialect) => {
  let database: TestDatabase
  let dir: string

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    dir = mkdtempSync(join(tmpdir(), 'sillon-collect-'))
    for (const org of ['big', 'other']) {
      await insertOrganisation(database.db, org)
      const students = Array.from({ length: org === 'big' ? 2_345 : 10 }, (_, i) => ({
        id: `${org}-${String(i).padStart(5, '0')}`,
        name: `Student ${i}`,
      }))
      await insertStudents(database.db, org, students)
      for (let i = 0; i < students.length; i += 500)
        await database.db
          .insertInto('gamification_score')
          .values(
            students
              .slice(i, i + 500)
              .map((s, j) => ({ org_id: org, student_id: s.id, total_points: i + j, badges_count: 0 })),
          )
          .execute()
    }
  })
  afterAll(async () => {
    await database.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes every row of the school once, page after page, and none of another school', async () => {
    const collected = await collectSchool(
      database,
      diskFileStore(join(dir, 'files')),
      'big',
      join(dir, 'out'),
    )
    expect(collected.rows.lms_student).toBe(2_345)
    expect(collected.rows.gamification_score).toBe(2_345)
    for (const table of ['lms_student', 'gamification_score']) {
      const ids = lines(join(dir, 'out'), table).map(
        (line) => JSON.parse(line).student_id ?? JSON.parse(line).id,
      )
      expect(new Set(ids).size, table).toBe(2_345)
      expect(
        ids.every((id: string) => id.startsWith('big-')),
        table,
      ).toBe(true)
    }
  })
})
