import { gunzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { compressJson } from './compress.ts'

const rows = Array.from({ length: 100 }, (_, i) => ({ step: i, name: `Étape ${i}`, completed: i % 2 === 0 }))

function app() {
  const hono = new Hono()
  hono.use('*', compressJson(1024))
  hono.get('/large', (c) => c.json({ rows }))
  hono.get('/small', (c) => c.json({ ok: true }))
  hono.post('/ping', (c) => c.body(null, 204))
  return hono
}

describe('compressJson', () => {
  it('gzips a large JSON answer for a client that accepts gzip, keeping it readable', async () => {
    const res = await app().request('/large', { headers: { 'Accept-Encoding': 'gzip, deflate, br, zstd' } })
    expect(res.headers.get('Content-Encoding')).toBe('gzip')
    expect(res.headers.get('Vary')).toMatch(/Accept-Encoding/i)
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/)
    const body = Buffer.from(await res.arrayBuffer())
    expect(Number(res.headers.get('Content-Length'))).toBe(body.length)
    const plain = gunzipSync(body).toString()
    expect(body.length).toBeLessThan(plain.length / 3)
    expect(JSON.parse(plain)).toEqual({ rows })
  })

  it('sends a large JSON answer as it is to a client that accepts no gzip', async () => {
    for (const accept of [undefined, 'br', 'gzip;q=0, identity']) {
      const res = await app().request('/large', accept ? { headers: { 'Accept-Encoding': accept } } : {})
      expect(res.headers.get('Content-Encoding')).toBeNull()
      expect(await res.json()).toEqual({ rows })
    }
  })

  it('leaves small answers and bodiless ones (a video ping) uncompressed', async () => {
    const small = await app().request('/small', { headers: { 'Accept-Encoding': 'gzip' } })
    expect(small.headers.get('Content-Encoding')).toBeNull()
    expect(await small.json()).toEqual({ ok: true })
    const ping = await app().request('/ping', { method: 'POST', headers: { 'Accept-Encoding': 'gzip' } })
    expect(ping.status).toBe(204)
    expect(ping.headers.get('Content-Encoding')).toBeNull()
  })
})
