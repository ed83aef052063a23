/**
 * The API token an `Authorization` header carries, or null when it holds something else. The scheme is
 * case-insensitive (RFC 9110 §11.1), and a token sent alone, as Unified.to's SDK sends its key, counts too.
 * Basic, Digest and other schemes (which browsers may add on their own) never match.
 */
export function tokenFromAuthorization(header: string): string | null {
  return /^\s*(?:bearer\s+)?([^\s]+)\s*$/i.exec(header)?.[1] ?? null
}
