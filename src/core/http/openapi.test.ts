import { createConfig, lintFromString } from '@redocly/openapi-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { OPENAPI_PATH } from './openapi.ts'

const WEBSOCKET = '#/paths/~1api~1realtime/get/responses'

type Operation = { operationId?: string; security?: unknown[]; 'x-sillon-access'?: string }

// The document is the same whatever the database, so it is checked once, on SQLite.
describe('the OpenAPI document', () => {
  let t: TestApp
  let source: string
  let operations: (Operation & { method: string; path: string })[]

  beforeAll(async () => {
    t = await startTestApp('sqlite')
    source = await (await t.app.request(OPENAPI_PATH)).text()
    const paths = JSON.parse(source).paths as Record<string, Record<string, Operation>>
    operations = Object.entries(paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ ...op, method, path })),
    )
  })
  afterAll(() => t.close())

  it("passes Redocly's recommended rules without an error or a warning", async () => {
    const config = await createConfig({ extends: ['recommended'] })
    const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config })
    const report = problems
      // A WebSocket endpoint answers 101 (or an error), never a 2XX: OpenAPI has no better way to describe it.
      .filter((p) => !(p.ruleId === 'operation-2xx-response' && p.location[0]?.pointer === WEBSOCKET))
      .map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)
    console.info(
      `Redocly recommended: ${report.filter((r) => r.startsWith('error')).length} errors, ` +
        `${report.filter((r) => r.startsWith('warn')).length} warnings`,
    )
    expect(report).toEqual([])
  })

  it('names every operation once, so generated clients get one function per operation', () => {
    const ids = operations.map((o) => o.operationId)
    expect(ids.filter((id) => !id)).toEqual([])
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
    const id = (method: string, path: string) =>
      operations.find((o) => o.method === method && o.path === path)?.operationId
    expect(id('get', '/api/lms/courses')).toBe('listLmsCourses')
    expect(id('get', '/api/lms/courses/{id}')).toBe('getLmsCourse')
    expect(id('post', '/api/courses/{id}/publish')).toBe('publishCourse')
    expect(id('post', '/api/auth/login')).toBe('signIn')
  })

  it('declares public operations callable without credentials and the others with one of three', () => {
    for (const op of operations) {
      if (op['x-sillon-access'] === 'public') expect(op.security, op.path).toEqual([])
      else expect(op.security, op.path).toEqual([{ session: [] }, { bearer: [] }, { cfAccess: [] }])
    }
    expect(operations.filter((o) => o['x-sillon-access'] === 'public').length).toBeGreaterThan(0)
  })
})
