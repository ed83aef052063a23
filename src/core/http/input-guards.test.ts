import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient, type TestResponse } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../test/helpers/factories.ts'
import { type Role, roles } from '../../modules/identity/index.ts'
import { findNul, MAX_JSON_DEPTH, nestsDeeperThan } from './input-guards.ts'

// Hostile input on every route the app serves, read from the OpenAPI document so that a new route is
// probed without editing this file: a NUL character (which PostgreSQL refuses in text and jsonb) in a path
// parameter, a query parameter or any string of a JSON body, and JSON nested far deeper than any request
// needs. Each is refused with 400 validation_failed before it reaches a handler or the database, signed in
// or not.

type Operation = {
  'x-sillon-access'?: string
  parameters?: { name: string; in: string }[]
  requestBody?: { content?: { 'application/json'?: { schema?: SchemaRef } } }
}
type SchemaRef = { $ref?: string; example?: unknown }
type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, SchemaRef> }
}
type Route = { method: string; path: string; access: string; query: string[]; body: unknown }

const NUL = '\u0000'
const DEEP = 10_000

function routesOf(doc: OpenApiDocument): Route[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => {
      let schema = operation.requestBody?.content?.['application/json']?.schema
      if (schema?.$ref) schema = doc.components?.schemas?.[schema.$ref.split('/').pop() ?? '']
      return {
        method: method.toUpperCase(),
        path,
        access: operation['x-sillon-access'] ?? '',
        query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        body: schema ? (schema.example ?? {}) : undefined,
      }
    }),
  )
}

/** The value with a NUL character in every string it holds. */
function withNulStrings(value: unknown): unknown {
  if (typeof value === 'string') return `${value}${NUL}x`
  if (Array.isArray(value)) return value.map(withNulStrings)
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNulStrings(v)]))
  return value
}

/** The path with every parameter filled in with an id that names nothing. */
const withIds = (route: Route) => route.path.replace(/\{[^}]+\}/g, 'probe')

/** `levels` objects nested in one another, as JSON text (built as text: the value would be too deep to stringify). */
const deeplyNested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`

/** The example body with one field (or an extra one) replaced by deeply nested JSON, as JSON text. */
function withDeepField(example: unknown, field: string): string {
  const base = typeof example === 'object' && example !== null && !Array.isArray(example) ? example : {}
  const marker = '"__deep__"'
  return JSON.stringify({ ...base, [field]: '__deep__' }).replace(marker, deeplyNested(DEEP))
}

describe('input guards on decoded values', () => {
  it('finds a NUL character in a string or a key, at any depth, and gives its path', () => {
    expect(findNul({ a: [{ b: 'ok' }, { c: `x${NUL}` }] })).toEqual(['a', 1, 'c'])
    expect(findNul({ [`k${NUL}`]: 1 })).toEqual([`k${NUL}`])
    expect(findNul({ a: ['fine', 1, null, true] })).toBeNull()
  })

  it(`counts ${MAX_JSON_DEPTH} levels of nesting as allowed and one more as too deep`, () => {
    const nested = (levels: number) => JSON.parse(deeplyNested(levels)) as unknown
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false)
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true)
    expect(nestsDeeperThan(nested(DEEP), MAX_JSON_DEPTH)).toBe(true)
  })
})

describe.each(testDialects())('hostile input on every route, on %s', (dialect) => {
  let t: TestApp
  let routes: Route[]
  let anonymous: TestClient
  let ownerClient: TestClient
  const callers = new Map<Role, TestClient>()

  beforeAll(async () => {
    t = await startTestApp(dialect)
    const org = await createOrg(t)
    for (const role of roles) {
      const member = await signedInMember(t, org.id, role)
      callers.set(role, member.client)
      if (role === 'owner') {
        ownerClient = member.client
        await t.database.db
          .updateTable('users')
          .set({ is_superadmin: 1 })
          .where('id', '=', member.userId)
          .execute()
      }
    }
    anonymous = t.client()
    routes = routesOf((await anonymous.get('/api/openapi.json')).body as OpenApiDocument)
  })
  afterAll(() => t.close())

  /** Public routes are probed signed out; the others by a member whose role the route allows. */
  function callerFor(route: Route): TestClient {
    if (route.access === 'public') return anonymous
    const allowed = route.access.split(',').map((r) => r.trim()) as Role[]
    return callers.get(allowed.find((r) => callers.has(r)) ?? 'owner') ?? ownerClient
  }

  const refusal = (what: string, res: TestResponse) =>
    res.status === 400 && res.body?.error?.code === 'validation_failed'
      ? []
      : [`${what} -> ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`]

  it('finds routes of every kind to probe', () => {
    expect(routes.filter((r) => r.path.includes('{')).length).toBeGreaterThanOrEqual(20)
    expect(routes.filter((r) => r.query.length > 0).length).toBeGreaterThanOrEqual(3)
    expect(routes.filter((r) => r.body !== undefined).length).toBeGreaterThanOrEqual(30)
    expect(routes.some((r) => r.path === '/api/tally-hook' && r.access === 'public')).toBe(true)
    expect(routes.some((r) => r.path === '/api/auth/login' && r.access === 'public')).toBe(true)
  })

  it('refuses a NUL character in a path parameter with 400', async () => {
    const failures: string[] = []
    for (const route of routes.filter((r) => r.path.includes('{'))) {
      const path = route.path.replace(/\{[^}]+\}/g, encodeURIComponent(`id${NUL}`))
      const res = await callerFor(route).request(route.method, path, route.body)
      failures.push(...refusal(`${route.method} ${path}`, res))
    }
    expect(failures).toEqual([])
  })

  it('refuses a NUL character in a query parameter with 400', async () => {
    const failures: string[] = []
    for (const route of routes.filter((r) => r.query.length > 0 && !r.path.includes('{'))) {
      for (const name of route.query) {
        const path = `${route.path}?${new URLSearchParams({ [name]: `x${NUL}` })}`
        const res = await callerFor(route).request(route.method, path, route.body)
        failures.push(...refusal(`${route.method} ${path}`, res))
      }
    }
    expect(failures).toEqual([])
  })

  it('refuses a NUL character in the strings of a JSON body with 400, known fields or not', async () => {
    const failures: string[] = []
    for (const route of routes.filter((r) => r.body !== undefined)) {
      const res = await callerFor(route).request(route.method, withIds(route), {
        ...(withNulStrings(route.body) as object),
        extra: NUL,
      })
      failures.push(...refusal(`${route.method} ${route.path}`, res))
    }
    expect(failures).toEqual([])
  })

  it(`refuses a JSON body nested ${DEEP} levels deep with 400, in any field`, async () => {
    const failures: string[] = []
    for (const route of routes.filter((r) => r.body !== undefined)) {
      const fields = [...Object.keys(route.body as object), 'extra']
      for (const field of fields) {
        const res = await callerFor(route).request(
          route.method,
          withIds(route),
          withDeepField(route.body, field),
        )
        failures.push(...refusal(`${route.method} ${route.path} (${field})`, res))
      }
    }
    expect(failures).toEqual([])
  })

  it('refuses a NUL character in a form field or an uploaded file name with 400', async () => {
    const course = await ownerClient.post('/api/lms/courses', { name: 'Cours' })
    expect(course.status).toBe(201)
    const upload = (title: string, fileName: string) => {
      const form = new FormData()
      form.set('file', new File(['%PDF-1.4\n'], fileName, { type: 'application/pdf' }))
      form.set('title', title)
      return ownerClient.request('POST', `/api/courses/${course.body.id}/kms`, form)
    }
    const failures = [
      ...refusal('title', await upload(`Fiche${NUL}`, 'fiche.pdf')),
      ...refusal('file name', await upload('Fiche', `fiche${NUL}.pdf`)),
    ]
    expect(failures).toEqual([])
  })
})
