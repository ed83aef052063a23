// Web Crypto only, so that the same code runs on Node and on Cloudflare Workers.

export function newId(): string {
  return crypto.randomUUID()
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** A high-entropy secret for links and tokens (32 random bytes by default). */
export function randomSecret(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))
}

/**
 * SHA-256 of a high-entropy secret, hex encoded. Tokens and invitation links are stored this way:
 * a leaked table does not reveal usable secrets, and a lookup stays a single indexed equality.
 */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}
