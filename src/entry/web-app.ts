import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../core/http/context.ts'
import { contentSecurityPolicy, cspNonce } from '../core/http/security-headers.ts'

/**
 * Serves the built web app (dist/web) at `/`: hashed assets cached for good, and index.html for every
 * other GET outside `/api`, so the app's own routes survive a reload (history fallback). Returns false
 * when there is no build to serve.
 */
export function serveWebApp(app: OpenAPIHono<AppEnv>, dir: string): boolean {
  const indexFile = join(dir, 'index.html')
  if (!existsSync(indexFile)) return false
  const index = readFileSync(indexFile, 'utf8')
  const pageCode = pageCodeFrom(join(dir, '.vite', 'manifest.json'))
  // serveStatic builds its response before `onFound` runs, so headers set there are lost: they go on the
  // response once it is made. Every file here is named by the hash of its content.
  app.use('/assets/*', async (c, next) => {
    await next()
    if (c.res.status !== 200 && c.res.status !== 206) return
    c.res.headers.set('Cache-Control', 'public, max-age=31536000, immutable')
    // The same URL answers br, gzip or plain by Accept-Encoding, so caches must key on it every time.
    if (!/\bAccept-Encoding\b/i.test(c.res.headers.get('Vary') ?? ''))
      c.res.headers.append('Vary', 'Accept-Encoding')
  })
  // The build writes .br and .gz beside each file (web/precompress.ts); they are sent as they are.
  app.use('/assets/*', serveStatic({ root: dir, precompressed: true }))
  app.get('*', async (c, next) => {
    // An API path, or an asset that is not there (an old build's), gets a 404, never the page.
    if (/^\/(api|assets)(\/|$)/.test(c.req.path)) return next()
    // The page carries who is signed in, so it differs by visitor: no shared cache may keep it.
    c.header('Cache-Control', 'private, no-cache')
    const nonce = cspNonce()
    c.header('Content-Security-Policy', contentSecurityPolicy({ styleNonce: nonce }))
    const { block, me } = await sessionBlock(app, c)
    const head = [`<meta name="csp-nonce" content="${nonce}">`, block]
    const ahead = me ? pageAhead(c.req.path, me) : undefined
    if (ahead) {
      // The app loads the page's code before it first draws (web/lazy-page.tsx).
      head.push(`<meta name="sillon-page" content="${ahead.page}">`, ...pageCode(ahead.page))
      head.push(await pageAnswers(app, c, ahead.answers))
    }
    return c.html(index.replace('</head>', `${head.join('\n')}\n</head>`))
  })
  return true
}

/**
 * The answer GET /api/auth/me gives this visitor (the member, or null when signed out) as a JSON data block,
 * which the browser never runs: the web app draws the sign-in page or its shell at once instead of asking
 * first, a round trip saved on a slow phone network. Nothing when that answer is neither, so the app asks.
 */
async function sessionBlock(
  app: OpenAPIHono<AppEnv>,
  c: Context<AppEnv>,
): Promise<{ block: string; me?: SignedIn }> {
  const me = await apiAnswer(app, c, '/api/auth/me')
  // A session renewed on the way keeps its renewal, as it would have on the app's own request.
  for (const setCookie of me.headers.getSetCookie()) c.header('Set-Cookie', setCookie, { append: true })
  if (me.status === 401) return { block: jsonScript('sillon-session', 'null') }
  if (me.status !== 200) return { block: '' }
  const json = await me.text()
  return { block: jsonScript('sillon-session', json), me: JSON.parse(json) as SignedIn }
}

/** The API's answer to a GET as the page's visitor would get it. */
function apiAnswer(app: OpenAPIHono<AppEnv>, c: Context<AppEnv>, path: string): Promise<Response> {
  // The page request's own headers: a session cookie, or the assertion Cloudflare Access adds, sign in alike.
  const headers = new Headers(c.req.raw.headers)
  headers.delete('accept-encoding')
  return Promise.resolve(app.request(new URL(path, c.req.url), { headers }, c.env))
}

// JSON holds `<` only inside strings, where \u003c reads the same: no name can close the element early.
const jsonScript = (id: string, json: string) =>
  `<script type="application/json" id="${id}">${json.replaceAll('<', '\\u003c')}</script>`

/** What the page needs of GET /api/auth/me's answer to know what the visitor is about to see. */
type SignedIn = { student_id?: string | null }

/**
 * The pages a student opens first, which the server helps draw sooner on a slow phone: their code is named
 * in the page (fetched along with the app's instead of after it) and the API's first answers are written
 * into it (web/api/client.ts reads them), so no round trip waits on another. `page` is the page's module
 * under web/ as the build's manifest names it; an app route that moves only loses this head start.
 */
const PAGES_AHEAD: {
  path: RegExp
  page: string
  answers: (match: RegExpExecArray) => string[]
  for: (me: SignedIn) => boolean
}[] = [
  { path: /^\/$/, page: 'pages/dashboard.tsx', answers: () => ['/api/me/dashboard'], for: isStudent },
  {
    path: /^\/courses\/([^/]+)$/,
    page: 'pages/course-player.tsx',
    answers: ([, courseId]) => [`/api/me/courses/${courseId}`],
    for: isStudent,
  },
]

function isStudent(me: SignedIn): boolean {
  return Boolean(me.student_id)
}

function pageAhead(path: string, me: SignedIn): { page: string; answers: string[] } | undefined {
  for (const ahead of PAGES_AHEAD) {
    const match = ahead.path.exec(path)
    if (match && ahead.for(me)) return { page: ahead.page, answers: ahead.answers(match) }
  }
  return undefined
}

/** The API's successful answers to `paths` for this visitor, as one JSON data block keyed by path. */
async function pageAnswers(app: OpenAPIHono<AppEnv>, c: Context<AppEnv>, paths: string[]): Promise<string> {
  const answers = await Promise.all(
    paths.map(async (path) => {
      const answer = await apiAnswer(app, c, path)
      return answer.status === 200 ? `${JSON.stringify(path)}:${await answer.text()}` : undefined
    }),
  )
  const found = answers.filter((answer) => answer !== undefined)
  return found.length > 0 ? jsonScript('sillon-answers', `{${found.join(',')}}`) : ''
}

type ManifestChunk = { file: string; imports?: string[]; css?: string[]; isEntry?: boolean }

/**
 * From the build's manifest (Vite's `build.manifest`), the links that fetch a page's code and styles along
 * with the app's: its chunk and those it imports, less what the page already loads. Nothing without one.
 */
function pageCodeFrom(manifestFile: string): (page: string) => string[] {
  if (!existsSync(manifestFile)) return () => []
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, ManifestChunk>
  const closure = (keys: string[], seen = new Set<string>()): Set<string> => {
    for (const key of keys) {
      if (seen.has(key) || !manifest[key]) continue
      seen.add(key)
      closure(manifest[key].imports ?? [], seen)
    }
    return seen
  }
  const entries = Object.keys(manifest).filter((key) => manifest[key]?.isEntry)
  const loaded = closure(entries)
  const links = new Map<string, string[]>()
  return (page) => {
    const cached = links.get(page)
    if (cached) return cached
    const chunks = [...closure([page])]
      .filter((key) => !loaded.has(key))
      .map((key) => manifest[key] as ManifestChunk)
    const found = [
      ...chunks.map((chunk) => `<link rel="modulepreload" crossorigin href="/${chunk.file}">`),
      // A preload, not a stylesheet: the page's code adds the stylesheet when it runs, drawing nothing sooner.
      ...chunks
        .flatMap((chunk) => chunk.css ?? [])
        .map((css) => `<link rel="preload" as="style" crossorigin href="/${css}">`),
    ]
    links.set(page, found)
    return found
  }
}
