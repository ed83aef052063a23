import type { TestProject } from 'vitest/node'
import { createDatabaseTemplates, type DatabaseTemplates } from './helpers/database-templates.ts'

declare module 'vitest' {
  interface ProvidedContext {
    databaseTemplates: DatabaseTemplates
  }
}

// Several tiers (db, http, process) use this setup; one run migrates the templates once for all of them and
// drops them after the last tier is done. The global setups of a run share the main process's globalThis.
const SHARED = Symbol.for('sillon.databaseTemplates')
type Shared = { ready: ReturnType<typeof createDatabaseTemplates>; users: number }
const registry = globalThis as { [SHARED]?: Shared }

export default async function setup(project: TestProject) {
  registry[SHARED] ??= { ready: createDatabaseTemplates(), users: 0 }
  const shared = registry[SHARED]
  shared.users++
  const { templates, drop } = await shared.ready
  project.provide('databaseTemplates', templates)
  return async () => {
    shared.users--
    if (shared.users > 0) return
    delete registry[SHARED]
    await drop()
  }
}
