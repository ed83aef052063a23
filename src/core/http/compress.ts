import type { MiddlewareHandler } from 'hono'

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i

/** Whether the Accept-Encoding header allows gzip (listed without q=0, or through a `*` without q=0). */
function acceptsGzip(header: string | undefined): boolean {
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    if (name !== 'gzip' && name !== '*') continue
    const q = params.find((p) => p.startsWith('q='))
    if (!q || Number(q.slice(2)) > 0) return true
  }
  return false
}

/**
 * Gzips JSON responses of `thresholdBytes` or more for clients that accept it. Unlike Hono's `compress`,
 * which can only judge by a Content-Length that `c.json` never sets, it measures the body, so the many
 * small answers (and the 204 of a video ping) go out as they are. CompressionStream, not node:zlib, so
 * the same code runs on Workers.
 */
export function compressJson(thresholdBytes: number): MiddlewareHandler {
  return async (c, next) => {
    await next()
    const res = c.res
    if (c.req.method === 'HEAD' || !res.body || res.headers.has('Content-Encoding')) return
    if (!JSON_TYPE.test(res.headers.get('Content-Type') ?? '')) return
    if (NO_TRANSFORM.test(res.headers.get('Cache-Control') ?? '')) return
    const vary = res.headers.get('Vary')
    if (!vary) res.headers.set('Vary', 'Accept-Encoding')
    else if (!/\baccept-encoding\b/i.test(vary)) res.headers.set('Vary', `${vary}, Accept-Encoding`)
    if (!acceptsGzip(c.req.header('Accept-Encoding'))) return
    const body = new Uint8Array(await res.arrayBuffer())
    if (body.byteLength < thresholdBytes) {
      c.res = new Response(body, res)
      return
    }
    const gzipped = await new Response(
      new Blob([body]).stream().pipeThrough(new CompressionStream('gzip')),
    ).arrayBuffer()
    c.res = new Response(gzipped, res)
    c.res.headers.set('Content-Encoding', 'gzip')
    c.res.headers.set('Content-Length', String(gzipped.byteLength))
    const etag = c.res.headers.get('ETag')
    if (etag && !etag.startsWith('W/')) c.res.headers.set('ETag', `W/${etag}`)
  }
}
