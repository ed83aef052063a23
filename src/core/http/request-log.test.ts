import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createHttpApp } from './app.ts'

/** An app whose request logs, at every level, land in `lines`. */
function appWithLogs() {
  const lines: { level: number; path: string }[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  const app = createHttpApp({
    logger: pino({ level: 'debug' }, stream),
    publicUrl: 'http://localhost:3000',
    corsOrigins: [],
    bodyLimitBytes: 1024,
    uploadLimitBytes: 1024,
    clientIp: () => '127.0.0.1',
    authenticate: async () => null,
  })
  app.get('/assets/index-abc123.js', (c) => c.text('console.log(1)'))
  app.get('/courses/42', (c) => c.html('<!doctype html>'))
  app.get('/api/ping', (c) => c.json({ ok: true }))
  return { app, lines }
}

const DEBUG = pino.levels.values.debug
const INFO = pino.levels.values.info

describe('request logs', () => {
  it('log the web app’s files and pages at debug and API requests at info', async () => {
    const { app, lines } = appWithLogs()
    await app.request('/assets/index-abc123.js')
    await app.request('/courses/42')
    await app.request('/api/ping')
    expect(lines.map((l) => [l.path, l.level])).toEqual([
      ['/assets/index-abc123.js', DEBUG],
      ['/courses/42', DEBUG],
      ['/api/ping', INFO],
    ])
  })

  it('log a static file that fails at info', async () => {
    const { app, lines } = appWithLogs()
    await app.request('/assets/gone-123.js')
    expect(lines.map((l) => [l.path, l.level])).toEqual([['/assets/gone-123.js', INFO]])
  })
})
