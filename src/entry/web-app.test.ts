import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { precompressFiles } from '../../web/precompress.ts'
import { createRouter } from '../core/http/router.ts'
import { serveWebApp } from './web-app.ts'

// A build laid out as Vite writes it, precompressed by the same code as the real build.
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
    // The identity module's answer, reduced to what the page does with it.
    app.get('/api/auth/me', (c) =>
      c.req.header('cookie') === 'session=lea'
        ? c.json({ user: { name: 'Léa </script><script>alert(1)</script>' } })
        : c.json({ error: { code: 'unauthenticated', message: 'Sign in first', details: null } }, 401),
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
})
