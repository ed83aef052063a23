import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose'

export type CfAccessSettings = {
  /** `myteam.cloudflareaccess.com`, or a full origin such as `https://myteam.cloudflareaccess.com`. */
  teamDomain: string
  /** The application's AUD tag. */
  audience: string
}

export type CfAccessVerifier = (assertion: string) => Promise<{ email: string }>

export class CfAccessError extends Error {
  override name = 'CfAccessError'
}

/** The team's origin: `https://<team domain>` unless a scheme is given (loopback tests use http). */
export function teamOrigin(teamDomain: string): string {
  return new URL(/^https?:\/\//.test(teamDomain) ? teamDomain : `https://${teamDomain}`).origin
}

/**
 * Verifies `Cf-Access-Jwt-Assertion` tokens: RS256 signature against the team's published keys (fetched
 * by `kid`, refetched when Cloudflare rotates them), issuer, audience (string or array) and expiry.
 */
export function createCfAccessVerifier(settings: CfAccessSettings): CfAccessVerifier {
  const issuer = teamOrigin(settings.teamDomain)
  const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL('/cdn-cgi/access/certs', issuer), {
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
  })
  return async (assertion) => {
    try {
      const { payload } = await jwtVerify(assertion, keys, {
        issuer,
        audience: settings.audience,
        algorithms: ['RS256'],
        clockTolerance: 5,
      })
      if (typeof payload.email !== 'string' || payload.email === '') {
        throw new CfAccessError('the Access token carries no e-mail (service tokens are not accepted)')
      }
      return { email: payload.email }
    } catch (err) {
      if (err instanceof CfAccessError) throw err
      if (err instanceof errors.JOSEError) throw new CfAccessError(`invalid Access token: ${err.code}`)
      throw err
    }
  }
}
