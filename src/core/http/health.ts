import { z } from '@hono/zod-openapi'
import { sql } from 'kysely'
import type { Db } from '../db/database.ts'
import { createRouter, defineRoute } from './router.ts'
import { json } from './schemas.ts'

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    version: z.string().openapi({ example: '0.1.0' }),
    db: z.enum(['ok', 'unreachable']),
  })
  .openapi('Health')

const DB_CHECK_TIMEOUT_MS = 2_000

async function databaseAnswers(db: Db): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DB_CHECK_TIMEOUT_MS)
  })
  const query = sql`select 1 as ok`
    .execute(db)
    .then(() => true)
    .catch(() => false)
  try {
    return await Promise.race([query, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function healthRoutes(db: Db, version: string) {
  const app = createRouter()
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/health',
      tags: ['Platform'],
      summary: 'Liveness and database reachability (503 when the database does not answer)',
      access: 'public',
      responses: {
        200: { description: 'Healthy', ...json(HealthSchema) },
        503: { description: 'Database unreachable', ...json(HealthSchema) },
      },
    }),
    async (c) => {
      const ok = await databaseAnswers(db)
      return ok
        ? c.json({ status: 'ok' as const, version, db: 'ok' as const }, 200)
        : c.json({ status: 'unavailable' as const, version, db: 'unreachable' as const }, 503)
    },
  )
  return app
}
