import http from 'node:http'
import https from 'node:https'
import { AddressNotAllowedError, guardedLookup, hostOf, type Resolver, refusedHost } from './address-guard.ts'

/** What the delivery log records of one attempt: the status code, and a short reason when it failed. */
type SendOutcome = { status: number | null; error: string | null }

export type WebhookSender = (
  url: string,
  request: { headers: Record<string, string>; body: string },
) => Promise<SendOutcome>

/**
 * POSTs deliveries over Node's HTTP client, to public addresses only (see address-guard.ts). Redirects
 * are not followed: each hop would need the same checks, and a subscriber gives its final URL. Failures
 * are recorded in a few fixed words: the log is shown to school admins, and the text of a connection
 * error (refused, reset, bad response) would tell which internal ports are open.
 */
export function httpWebhookSender(options: {
  allowedHosts: string[]
  timeoutMs: number
  resolve?: Resolver
}): WebhookSender {
  const lookup = guardedLookup(options.resolve)
  return async (target, { headers, body }) => {
    const url = new URL(target)
    if (refusedHost(url, options.allowedHosts)) return { status: null, error: 'address not allowed' }
    const trusted = options.allowedHosts.includes(hostOf(url))
    const signal = AbortSignal.timeout(options.timeoutMs)
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const request = (url.protocol === 'https:' ? https : http).request(
          url,
          {
            method: 'POST',
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
            signal,
            agent: false,
            ...(trusted ? {} : { lookup }),
          },
          (response) => {
            response.on('error', () => {})
            response.resume()
            resolve(response.statusCode ?? 0)
          },
        )
        request.on('error', reject)
        request.end(body)
      })
      if (status >= 200 && status < 300) return { status, error: null }
      if (status >= 300 && status < 400)
        return { status, error: `HTTP ${status}: redirects are not followed` }
      return { status, error: `HTTP ${status}` }
    } catch (err) {
      if (err instanceof AddressNotAllowedError) return { status: null, error: 'address not allowed' }
      if (signal.aborted) return { status: null, error: 'timeout' }
      return { status: null, error: 'connection failed' }
    }
  }
}
