import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { precompressFiles } from '../../web/precompress.ts'
import { createRouter } from '../core/http/router.ts'
import { serveWebApp } from './web-app.ts'

// A build laid out as Vite writes it, precompressed by the same code as the real build.
const MANIFEST = {
  'index.html': { file: 'assets/index-Ab12Cd34.js', isEntry: true, imports: ['_shared-Ef56Gh78.js'] },
  '_shared-Ef56Gh78.js': { file: 'assets/shared-Ef56Gh78.js' },
  '_card-Ij90Kl12.js': {
    file: 'assets/card-Ij90Kl12.js',
    imports: ['_shared-Ef56Gh78.js'],
    css: ['assets/card-Mn34.css'],
  },
  'pages/dashboard.tsx': {
    file: 'assets/dashboard-Op56Qr78.js',
    imports: ['index.html', '_shared-Ef56Gh78.js', '_card-Ij90Kl12.js'],
  },
}
const SCRIPT = `export const lessons = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `lesson ${i}`))}\n`

describe('the web app build served over HTTP', () => {
  let dir: string
  const app = createRouter()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sillon-web-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<html><head><title>Sillon</title></head><body></body></html>')
    writeFileSync(join(dir, 'assets', 'index-Ab12Cd34.js'), SCRIPT)
    await precompressFiles(dir, ['index.html', 'assets/index-Ab12Cd34.js'])
    // The build's manifest, reduced to the entry and the dashboard's chunks.
    mkdirSync(join(dir, '.vite'))
    writeFileSync(join(dir, '.vite', 'manifest.json'), JSON.stringify(MANIFEST))
    // The identity module's answer, reduced to what the page does with it.
    app.get('/api/auth/me', (c) => {
      const cookie = c.req.header('cookie')
      if (cookie === 'session=lea')
        return c.json({ user: { name: 'Léa </script><script>alert(1)</script>' } })
      if (cookie === 'session=sam') return c.json({ user: { name: 'Sam' }, student_id: 'stu_1' })
      if (cookie === 'session=ines') return c.json({ user: { name: 'Inès' }, student_id: null })
      return c.json({ error: { code: 'unauthenticated', message: 'Sign in first', details: null } }, 401)
    })
    app.get('/api/me/dashboard', (c) =>
      c.req.header('cookie') === 'session=sam'
        ? c.json({ courses: [{ name: '</script> Bases' }] })
        : c.json({ error: { code: 'forbidden', message: 'Students only', details: null } }, 403),
    )
    app.get('/api/me/courses/:id', (c) =>
      c.req.param('id') === 'crs_1'
        ? c.json({ course: { id: 'crs_1' } })
        : c.json({ error: { code: 'not_found', message: 'No such course', details: null } }, 404),
    )
    expect(serveWebApp(app, dir)).toBe(true)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('serves hashed assets with Brotli or gzip as the browser asks, cached as immutable for a year', async () => {
    const br = await app.request('/assets/index-Ab12Cd34.js', {
      headers: { 'Accept-Encoding': 'gzip, deflate, br' },
    })
    expect(br.status).toBe(200)
    expect(br.headers.get('Content-Encoding')).toBe('br')
    expect(br.headers.get('Content-Type')).toMatch(/javascript/)
    expect(br.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    expect(br.headers.get('Vary')).toMatch(/Accept-Encoding/i)
    const brBody = Buffer.from(await br.arrayBuffer())
    expect(brBody.length).toBeLessThan(SCRIPT.length / 2)
    expect(brotliDecompressSync(brBody).toString()).toBe(SCRIPT)

    const gz = await app.request('/assets/index-Ab12Cd34.js', { headers: { 'Accept-Encoding': 'gzip' } })
    expect(gz.headers.get('Content-Encoding')).toBe('gzip')
    expect(gz.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(SCRIPT)
  })

  it('serves an asset uncompressed to a client that accepts no encoding, still varying on it', async () => {
    const plain = await app.request('/assets/index-Ab12Cd34.js')
    expect(plain.status).toBe(200)
    expect(plain.headers.get('Content-Encoding')).toBeNull()
    expect(plain.headers.get('Vary')).toMatch(/Accept-Encoding/i)
    expect(plain.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    expect(await plain.text()).toBe(SCRIPT)
  })

  it('answers 404 without caching for an asset of another build', async () => {
    const missing = await app.request('/assets/index-Old00000.js', { headers: { 'Accept-Encoding': 'br' } })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('Cache-Control')).toBeNull()
  })

  it('serves the page itself for every app route, revalidated on each visit', async () => {
    const page = await app.request('/courses/abc', { headers: { 'Accept-Encoding': 'br' } })
    expect(page.status).toBe(200)
    expect(page.headers.get('Cache-Control')).toBe('private, no-cache')
    expect(await page.text()).toContain('<title>Sillon</title>')
  })

  it('writes who is signed in into the page as inert JSON that no name can break out of', async () => {
    const session = (html: string) =>
      /<script type="application\/json" id="sillon-session">(.*?)<\/script>/s.exec(html)?.[1]
    const signedIn = await (await app.request('/', { headers: { cookie: 'session=lea' } })).text()
    expect(session(signedIn)).not.toContain('<')
    expect(JSON.parse(session(signedIn) ?? '')).toEqual({
      user: { name: 'Léa </script><script>alert(1)</script>' },
    })

    expect(session(await (await app.request('/', { headers: { cookie: 'session=gone' } })).text())).toBe(
      'null',
    )
    expect(session(await (await app.request('/signin')).text())).toBe('null')
  })

  const headOf = async (path: string, cookie?: string) => {
    const html = await (await app.request(path, cookie ? { headers: { cookie } } : {})).text()
    return html.slice(0, html.indexOf('</head>'))
  }
  const answers = (head: string) =>
    /<script type="application\/json" id="sillon-answers">(.*?)<\/script>/s.exec(head)?.[1]

  it("names a student's dashboard code in the page, less what the app's entry already loads", async () => {
    const head = await headOf('/', 'session=sam')
    const links = [...head.matchAll(/<link rel="(\w+)"[^>]* href="([^"]+)"/g)].map(
      ([, rel, href]) => `${rel} ${href}`,
    )
    expect(links).toEqual([
      'modulepreload /assets/dashboard-Op56Qr78.js',
      'modulepreload /assets/card-Ij90Kl12.js',
      'preload /assets/card-Mn34.css',
    ])
  })

  it("writes the API's first answer into a student's dashboard and course pages, as inert JSON", async () => {
    const dashboard = answers(await headOf('/', 'session=sam'))
    expect(dashboard).not.toContain('<')
    expect(JSON.parse(dashboard ?? '')).toEqual({
      '/api/me/dashboard': { courses: [{ name: '</script> Bases' }] },
    })
    expect(JSON.parse(answers(await headOf('/courses/crs_1', 'session=sam')) ?? '')).toEqual({
      '/api/me/courses/crs_1': { course: { id: 'crs_1' } },
    })
  })

  it('writes no answer the visitor could not have, nor for pages that are not ahead', async () => {
    // A course that is not there: the page asks the API and shows its refusal as it would have.
    expect(answers(await headOf('/courses/crs_2', 'session=sam'))).toBeUndefined()
    // Staff have no dashboard of a student, the signed-out no page of the app.
    expect(await headOf('/', 'session=ines')).not.toMatch(/sillon-answers|modulepreload/)
    expect(await headOf('/', 'session=gone')).not.toMatch(/sillon-answers|modulepreload/)
    expect(answers(await headOf('/badges', 'session=sam'))).toBeUndefined()
  })
})
