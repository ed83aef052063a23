// The boundaries of CONVENTIONS.md, checked on the import graph of src/: no import circle, core imports no
// module, a module reaches another only through its index.ts, importing a module's index.ts loads no routes,
// Node-only code stays in the entries and the adapters named below (so core and the modules can run on
// another runtime), and only the projector runner writes projection_checkpoints.
//
// A test rather than Biome's noImportCycles: Biome finds circles, but the other rules would each need their
// own configuration or could not be said at all, and one reader of the graph for all of them is easier to
// trust. Circles between files count run-time imports only: `import type` is erased before anything runs
// (verbatimModuleSyntax), so it orders no loading. Circles between modules count type imports too: two
// modules that name each other's types cannot change one without the other.

import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/** Files of core and the modules that may use Node: besides these, any file in an `adapters/` folder. */
const nodeAdapters = [
  'src/core/db/connect-node.ts',
  'src/core/files/disk-file-store.ts',
  'src/core/jobs/pg-boss-runner.ts',
  // The Cloudflare Stream client, which reads uploads from disk: a provider adapter, not yet in adapters/.
  'src/modules/catalog/cloudflare-stream.ts',
  // Redis publish/subscribe, and the WebSocket gateway that upgrades through the Node server: scale-out and
  // real time are Node features (the Workers build serves neither).
  'src/core/pubsub/redis.ts',
  'src/modules/messaging/realtime/gateway.ts',
]

/** Packages that run only on Node, besides its built-in modules. */
const nodeOnlyPackages = [
  'better-sqlite3',
  '@hono/node-server',
  'ioredis',
  'nodemailer',
  'pg',
  'pg-boss',
  'pino',
  'ws',
]

/** Violations known when the check was written, each to be fixed and then removed from here. */
const knownViolations: string[] = []

type Import = { from: string; to: string; typeOnly: boolean }

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : []
  })
}

// Specifiers hold no quote and import clauses hold only names, braces, commas and stars, which keeps a match
// from running into the next statement; sources are formatted by Biome, one statement a line.
const staticImport = /^[ \t]*(?:import|export)(\s+type)?[\w\s{},*$]*?\sfrom\s*['"]([^'"]+)['"]/gm
const bareImport = /^[ \t]*import\s*['"]([^'"]+)['"]/gm
const dynamicImport = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/** Where an import leads: a path from the repository's root for a relative one, else the package's name. */
function target(file: string, specifier: string): string {
  if (specifier.startsWith('.')) return join(dirname(file), specifier)
  if (specifier.startsWith('node:')) return specifier
  const [scope, name] = specifier.split('/')
  return scope!.startsWith('@') ? `${scope}/${name}` : scope!
}

/** The imports of one source file, written at `file` (a path from the repository's root). */
function importsIn(source: string, file: string): Import[] {
  const statics = [...source.matchAll(staticImport)].map((m) => ({ to: m[2]!, typeOnly: Boolean(m[1]) }))
  const others = [...source.matchAll(bareImport), ...source.matchAll(dynamicImport)].map((m) => ({
    to: m[1]!,
    typeOnly: false,
  }))
  return [...statics, ...others].map(({ to, typeOnly }) => ({ from: file, to: target(file, to), typeOnly }))
}

const imports = sourceFiles(join(root, 'src')).flatMap((path) =>
  importsIn(readFileSync(path, 'utf8'), relative(root, path)),
)

/** The module a path belongs to, and the path inside it. */
function moduleOf(path: string): { name: string; inner: string } | null {
  const match = /^src\/modules\/([^/]+)\/(.+)$/.exec(path)
  return match ? { name: match[1]!, inner: match[2]! } : null
}

function isNodeOnly(to: string): boolean {
  return to.startsWith('node:') || builtinModules.includes(to) || nodeOnlyPackages.includes(to)
}

function isNodeAdapter(path: string): boolean {
  return nodeAdapters.includes(path) || path.split('/').includes('adapters')
}

/** Run-time edges: `import type` is erased (verbatimModuleSyntax), so it orders no module's loading. */
function runtimeGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const { from, to, typeOnly } of imports) {
    if (typeOnly || !to.startsWith('src/')) continue
    graph.set(from, [...(graph.get(from) ?? []), to])
  }
  return graph
}

/**
 * Which module imports which, type imports included: a type-only circle between two files is erased before
 * anything runs, but one between two modules still makes each unchangeable without the other.
 */
function moduleGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const { from, to } of imports) {
    const [a, b] = [moduleOf(from), moduleOf(to)]
    if (a && b && a.name !== b.name) graph.set(a.name, [...(graph.get(a.name) ?? []), b.name])
  }
  return graph
}

const checkpointWrite = /\.(?:insertInto|updateTable|deleteFrom)\(\s*'projection_checkpoints'/

/** Strongly connected components of more than one file (or a file importing itself), by Tarjan. */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const found: string[][] = []
  const visit = (node: string) => {
    index.set(node, index.size)
    low.set(node, index.get(node)!)
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort())
  }
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node)
  return found
}

/** Files a file loads at run time, directly or not. */
function loadedBy(graph: Map<string, string[]>, start: string): Set<string> {
  const seen = new Set<string>()
  const pending = [start]
  while (pending.length > 0) {
    for (const next of graph.get(pending.pop()!) ?? []) {
      if (seen.has(next)) continue
      seen.add(next)
      pending.push(next)
    }
  }
  return seen
}

const rules = {
  circles: 'import circle',
  moduleCircles: 'module circle',
  coreImportsModule: 'core imports a module',
  moduleInternals: "module imports another module's internals",
  indexLoadsRoutes: 'module index loads routes',
  nodeOutsideAdapters: 'Node-only import outside an adapter',
  checkpointWriters: 'writes projector checkpoints outside the projector runner',
}
type Rule = keyof typeof rules

const runtime = runtimeGraph()
const found: Record<Rule, string[]> = {
  circles: circles(runtime).map((files) => files.join(' ')),
  moduleCircles: circles(moduleGraph()).map((names) => names.join(' ')),
  coreImportsModule: imports
    .filter(({ from, to }) => from.startsWith('src/core/') && to.startsWith('src/modules/'))
    .map(({ from, to }) => `${from} -> ${to}`),
  moduleInternals: imports
    .filter(({ from, to }) => {
      const [a, b] = [moduleOf(from), moduleOf(to)]
      return a && b && a.name !== b.name && b.inner !== 'index.ts'
    })
    .map(({ from, to }) => `${from} -> ${to}`),
  indexLoadsRoutes: [...runtime.keys()]
    .filter((file) => /^src\/modules\/[^/]+\/index\.ts$/.test(file))
    .flatMap((index) =>
      [...loadedBy(runtime, index)]
        .filter((file) => /^src\/modules\/[^/]+\/routes\.ts$/.test(file))
        .map((routes) => `${index} -> ${routes}`),
    ),
  nodeOutsideAdapters: imports
    .filter(({ from, to, typeOnly }) => {
      const inCoreOrModules = from.startsWith('src/core/') || from.startsWith('src/modules/')
      return inCoreOrModules && !typeOnly && isNodeOnly(to) && !isNodeAdapter(from)
    })
    .map(({ from, to }) => `${from} -> ${to}`),
  checkpointWriters: sourceFiles(join(root, 'src'))
    .map((file) => relative(root, file))
    .filter((file) => file !== 'src/core/events/projector.ts' && !file.startsWith('src/core/db/migrations/'))
    .filter((file) => checkpointWrite.test(readFileSync(join(root, file), 'utf8'))),
}

function violations(rule: Rule): string[] {
  return [...new Set(found[rule].map((finding) => `${rules[rule]}: ${finding}`))].sort()
}

describe('the import graph of src/', () => {
  it('reads static, type-only, re-exported, bare and dynamic imports', () => {
    const source = [
      "import { a, type B } from './a.ts'",
      "import type {\n  C,\n  D,\n} from '../core/c.ts'",
      "export { e } from '@scope/package/sub'",
      "export type { F } from 'node:fs'",
      "import 'side-effect'",
      "const lazy = () => import('./lazy.ts')",
      ' * import { g } from "./in-a-comment.ts"',
    ].join('\n')
    expect(importsIn(source, 'src/modules/m/service.ts')).toEqual([
      { from: 'src/modules/m/service.ts', to: 'src/modules/m/a.ts', typeOnly: false },
      { from: 'src/modules/m/service.ts', to: 'src/modules/core/c.ts', typeOnly: true },
      { from: 'src/modules/m/service.ts', to: '@scope/package', typeOnly: false },
      { from: 'src/modules/m/service.ts', to: 'node:fs', typeOnly: true },
      { from: 'src/modules/m/service.ts', to: 'side-effect', typeOnly: false },
      { from: 'src/modules/m/service.ts', to: 'src/modules/m/lazy.ts', typeOnly: false },
    ])
    expect(imports.length).toBeGreaterThan(500)
  })

  it.each(Object.keys(rules) as Rule[])('finds no violation of %s but the known ones', (rule) => {
    const labelled = knownViolations.filter((known) => known.startsWith(`${rules[rule]}: `))
    expect(violations(rule)).toEqual([...labelled].sort())
  })

  it('knows only violations of the rules above', () => {
    const labels = Object.values(rules).map((label) => `${label}: `)
    expect(knownViolations.filter((known) => !labels.some((label) => known.startsWith(label)))).toEqual([])
  })
})
