import type { MiddlewareHandler } from 'hono'

// What the pages Sillon serves load, and from where. Scripts and styles only from Sillon itself (and
// Cloudflare Stream's player SDK): no inline script or style, no eval, no plugin.
function directives(styleNonce?: string): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'", 'https://embed.cloudflarestream.com'],
    // The web app's Mantine writes its theme in <style> elements it creates, allowed by the page's nonce.
    'style-src': ["'self'", ...(styleNonce ? [`'nonce-${styleNonce}'`] : [])],
    // Course text (Markdown) may show images from anywhere; Swagger UI and the favicon use data: URIs.
    'img-src': ["'self'", 'data:', 'blob:', 'https:'],
    'font-src': ["'self'", 'data:'],
    // A step's video may be any http(s) MP4 or HLS URL; hls.js fetches its manifest and segments and
    // plays them from blob: URLs, with a worker of its own.
    'media-src': ["'self'", 'blob:', 'https:'],
    'connect-src': ["'self'", 'https:'],
    'worker-src': ["'self'", 'blob:'],
    // Cloudflare Stream's player (customer-*.cloudflarestream.com for signed videos) and Tally's forms.
    'frame-src': [
      'https://iframe.cloudflarestream.com',
      'https://*.cloudflarestream.com',
      'https://iframe.videodelivery.net',
      'https://tally.so',
    ],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'self'"],
  }
}

/** The Content-Security-Policy header's value; a page whose script creates <style> elements passes a nonce. */
export function contentSecurityPolicy(options: { styleNonce?: string } = {}): string {
  return Object.entries(directives(options.styleNonce))
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join('; ')
}

/** A fresh nonce for one response. */
export function cspNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
}

/** Sends the Content-Security-Policy on every response that does not set its own (the web app's pages). */
export function securityHeaders(): MiddlewareHandler {
  const policy = contentSecurityPolicy()
  return async (c, next) => {
    await next()
    if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', policy)
  }
}
