import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { serveWebApp } from '../../entry/web-app.ts'

const INDEX_HTML =
  '<!doctype html><html><head><title>Sillon</title></head><body><div id="root"></div></body></html>'

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name = '', ...sources]) => [name, sources]),
  )
}

// The headers are the same whatever the database, so they are tested once, on SQLite.
describe('the Content-Security-Policy header', () => {
  let t: TestApp
  let webDir: string

  beforeAll(async () => {
    t = await startTestApp('sqlite')
    webDir = mkdtempSync(join(tmpdir(), 'sillon-web-'))
    writeFileSync(join(webDir, 'index.html'), INDEX_HTML)
    serveWebApp(t.app, webDir)
  })
  afterAll(async () => {
    await t.close()
    rmSync(webDir, { recursive: true, force: true })
  })

  it.each(['/', '/join', '/api/docs', '/api/health'])(
    'is sent on %s, refusing inline scripts, plugins and framing by others',
    async (path) => {
      const res = await t.client().get(path)
      expect(res.status).toBe(200)
      const policy = directives(res.headers.get('content-security-policy'))
      expect(policy['script-src']).toEqual(["'self'", 'https://embed.cloudflarestream.com'])
      expect(policy['style-src']?.filter((s) => !s.startsWith("'nonce-"))).toEqual(["'self'"])
      expect(policy['object-src']).toEqual(["'none'"])
      expect(policy['base-uri']).toEqual(["'self'"])
      expect(policy['frame-ancestors']).toEqual(["'self'"])
    },
  )

  it('names a fresh style nonce in each web app page, the one its header allows', async () => {
    const nonces = []
    for (const path of ['/', '/join']) {
      const res = await t.client().get(path)
      const nonce = /<meta name="csp-nonce" content="([^"]+)">/.exec(res.body)?.[1]
      expect(directives(res.headers.get('content-security-policy'))['style-src']).toEqual([
        "'self'",
        `'nonce-${nonce}'`,
      ])
      nonces.push(nonce)
    }
    expect(new Set(nonces).size).toBe(2)
  })
})
