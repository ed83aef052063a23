/**
 * The secret of an e-mailed link (an invitation, a password reset). It rides in the fragment (#token=...),
 * which never reaches a server log.
 */
export function tokenFromHash(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? ''
}
