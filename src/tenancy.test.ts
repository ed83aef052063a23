import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, type TestClient } from '../test/helpers/app.ts'
import { testDialects } from '../test/helpers/databases.ts'
import { createOrg, signedInMember, signIn } from '../test/helpers/factories.ts'
import { seedDemo } from './demo.ts'
import {
  createApiToken,
  findOrganisationBySlug,
  inviteMember,
  memberUserId,
  type Role,
  roles,
} from './modules/identity/index.ts'

// The tenant boundary, proven for every route the app serves: a member of organisation A who names
// organisation B's resources gets 404 (never 403, never data), and B's rows stay as they were.
// Routes are read from the OpenAPI document, so a new route is covered without editing this file;
// B is the demo school, so each module's demo content becomes B's resources too.

type Operation = {
  'x-sillon-access'?: string
  requestBody?: { content?: { 'application/json'?: { schema?: SchemaRef } } }
}
type SchemaRef = { $ref?: string; example?: unknown }
type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, SchemaRef> }
}
type Route = { method: string; path: string; access: string; hasBody: boolean; example: unknown }

function routesOf(doc: OpenApiDocument): Route[] {
  const routes: Route[] = []
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      let schema = operation.requestBody?.content?.['application/json']?.schema
      if (schema?.$ref) schema = doc.components?.schemas?.[schema.$ref.split('/').pop() ?? '']
      routes.push({
        method: method.toUpperCase(),
        path,
        access: operation['x-sillon-access'] ?? '',
        hasBody: schema !== undefined,
        example: schema?.example,
      })
    }
  }
  return routes
}

/**
 * The path with its parameters filled in: Unified.to's `{connection_id}` with the caller's school (so that
 * the resource ids behind it are what is tested), every other parameter with the id.
 */
function pathFor(route: Route, connection: string, id: string) {
  return route.path.replace('{connection_id}', connection).replace(/\{[^}]+\}/g, encodeURIComponent(id))
}

/** Whether the path names a resource (not only the school, as Unified.to's `{connection_id}` does). */
const namesResource = (route: Route) => /\{(?!connection_id\})[^}]+\}/.test(route.path)

/** Replaces every `*_id` string, `*_ids` list and `[{ id }]` reference list in the example body with the foreign id. */
function withForeignIds(example: unknown, foreignId: string): { body: unknown; replaced: boolean } {
  if (typeof example !== 'object' || example === null || Array.isArray(example))
    return { body: example, replaced: false }
  let replaced = false
  const body = Object.fromEntries(
    Object.entries(example).map(([key, value]) => {
      if (/_id$/.test(key) && typeof value === 'string') {
        replaced = true
        return [key, foreignId]
      }
      if (/_ids$/.test(key) && Array.isArray(value)) {
        replaced = true
        return [key, [foreignId]]
      }
      if (Array.isArray(value) && value.some((v) => typeof v === 'object' && v !== null && 'id' in v)) {
        replaced = true
        return [key, [{ id: foreignId }]]
      }
      return [key, value]
    }),
  )
  return { body, replaced }
}

// Each of these tests sends every foreign id to every route: hundreds of requests, more than the default time.
const EVERY_ROUTE_MS = 180_000

describe.each(testDialects())('tenant isolation on %s', (dialect) => {
  let t: TestApp
  let routes: Route[]
  const callers = new Map<Role, TestClient>()
  let foreignIds: string[]
  let slugA: string
  let slugB: string
  let snapshot: () => Promise<Record<string, number>>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    const orgA = await createOrg(t)
    slugA = orgA.slug
    for (const role of roles) callers.set(role, (await signedInMember(t, orgA.id, role)).client)

    await seedDemo(t)
    const orgB = await findOrganisationBySlug(t.identity, 'demo')
    slugB = orgB.slug
    const ownerB = await memberUserId(t.identity, orgB.id, 'direction@demo.sillon.test')
    await createApiToken(t.identity, orgB.id, ownerB, { name: 'B token' })
    await inviteMember(t.identity, orgB.id, 'cli', ownerB, {
      email: 'invited@b.example',
      role: 'student',
      expires_in_days: 7,
    })
    const ownerClient = await signIn(t, 'direction@demo.sillon.test', 'demo-sillon')
    await ownerClient.post('/api/lms/students', { name: 'Profil sans compte' })
    await ownerClient.post('/api/lms/instructors', { name: 'Intervenant externe' })
    // A draft course besides the demo's published one.
    await ownerClient.post('/api/lms/courses', { name: 'Brouillon B' })

    const tables = (await t.database.db.introspection.getTables()).filter((table) =>
      table.columns.some((c) => c.name === 'org_id'),
    )
    expect(tables.length).toBeGreaterThanOrEqual(5)
    const ids = new Set<string>([orgB.id])
    const membersOfA = new Set(
      (
        await t.database.db
          .selectFrom('memberships')
          .select('user_id')
          .where('org_id', '=', orgA.id)
          .execute()
      ).map((m) => m.user_id),
    )
    for (const table of tables) {
      const idColumns = table.columns.map((c) => c.name).filter((n) => n === 'id' || n === 'user_id')
      // Link tables hold ids that their own tables already give.
      if (idColumns.length === 0) continue
      // Table names come from introspection, so the typed builder is told one of them.
      const rows = await t.database.db
        .selectFrom(table.name as 'memberships')
        .select(idColumns as 'id'[])
        .where('org_id', '=', orgB.id)
        .execute()
      for (const row of rows) {
        for (const value of Object.values(row))
          if (typeof value === 'string' && !membersOfA.has(value)) ids.add(value)
      }
    }
    foreignIds = [...ids]

    snapshot = async () => {
      const counts: Record<string, number> = {}
      for (const table of tables) {
        const row = await t.database.db
          .selectFrom(table.name as 'memberships')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('org_id', '=', orgB.id)
          .executeTakeFirstOrThrow()
        counts[table.name] = Number(row.n)
      }
      const org = await t.database.db
        .selectFrom('organisations')
        .selectAll()
        .where('id', '=', orgB.id)
        .executeTakeFirst()
      counts[`organisation:${JSON.stringify(org)}`] = 1
      return counts
    }

    routes = routesOf((await t.client().get('/api/openapi.json')).body as OpenApiDocument)
  })
  afterAll(() => t.close())

  function callerFor(route: Route): TestClient {
    const allowed = route.access.split(',').map((r) => r.trim()) as Role[]
    const role = allowed.find((r) => callers.has(r)) ?? 'owner'
    return callers.get(role) as TestClient
  }

  it('finds routes and foreign resources to test', () => {
    expect(routes.filter((r) => r.path.includes('{')).length).toBeGreaterThanOrEqual(8)
    expect(foreignIds.length).toBeGreaterThanOrEqual(10)
  })

  it('documents an example body for every route that takes one', () => {
    const missing = routes.filter((r) => r.hasBody && r.example === undefined)
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([])
  })

  it(
    "answers 404 to every route that names another organisation's resource, and changes nothing there",
    async () => {
      const before = await snapshot()
      const failures: string[] = []
      // One route at a time, its foreign ids at once: every answer must be 404, so they cannot interfere.
      for (const route of routes.filter((r) => namesResource(r) && r.access !== 'superadmin')) {
        await Promise.all(
          foreignIds.map(async (id) => {
            const path = pathFor(route, slugA, id)
            const res = await callerFor(route).request(route.method, path, route.example)
            if (res.status !== 404 || res.body?.error?.code === undefined) {
              failures.push(
                `${route.method} ${path} -> ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`,
              )
            }
          }),
        )
      }
      expect(failures).toEqual([])
      expect(await snapshot()).toEqual(before)
    },
    EVERY_ROUTE_MS,
  )

  it(
    "answers 404 when a request body points at another organisation's resource",
    async () => {
      const before = await snapshot()
      const failures: string[] = []
      for (const route of routes.filter((r) => !namesResource(r) && r.method !== 'GET')) {
        for (const id of foreignIds) {
          const { body, replaced } = withForeignIds(route.example, id)
          if (!replaced) break
          const path = pathFor(route, slugA, id)
          const res = await callerFor(route).request(route.method, path, body)
          if (res.status !== 404) failures.push(`${route.method} ${path} with ${id} -> ${res.status}`)
        }
      }
      expect(failures).toEqual([])
      expect(await snapshot()).toEqual(before)
    },
    EVERY_ROUTE_MS,
  )

  it("never lists another organisation's resources", async () => {
    const leaks: string[] = []
    for (const route of routes.filter((r) => r.method === 'GET' && !namesResource(r))) {
      const path = pathFor(route, slugA, '')
      const res = await callerFor(route).get(path)
      const text = JSON.stringify(res.body)
      for (const id of foreignIds) if (text.includes(id)) leaks.push(`${path} shows ${id}`)
    }
    expect(leaks).toEqual([])
  })

  it(
    "answers 404 to every Unified.to route that names another organisation's connection, and changes nothing there",
    async () => {
      const before = await snapshot()
      const failures: string[] = []
      const unified = routes.filter((r) => r.path.includes('{connection_id}'))
      expect(unified.length).toBeGreaterThanOrEqual(24)
      for (const route of unified) {
        await Promise.all(
          foreignIds.map(async (id) => {
            const path = pathFor(route, slugB, id)
            const res = await callerFor(route).request(route.method, path, route.example)
            if (res.status !== 404) failures.push(`${route.method} ${path} -> ${res.status}`)
          }),
        )
      }
      expect(failures).toEqual([])
      expect(await snapshot()).toEqual(before)
    },
    EVERY_ROUTE_MS,
  )
})
