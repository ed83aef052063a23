import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose'
import type { Clock } from '../../core/clock.ts'

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

/** Cloudflare's key endpoint could not be read: the token may be fine, the check cannot be made. */
export class CfAccessUnavailableError extends Error {
  override name = 'CfAccessUnavailableError'
}

/** The team's origin: `https://<team domain>` unless a scheme is given (loopback tests use http). */
export function teamOrigin(teamDomain: string): string {
  return new URL(/^https?:\/\//.test(teamDomain) ? teamDomain : `https://${teamDomain}`).origin
}

/**
 * Verifies `Cf-Access-Jwt-Assertion` tokens: RS256 signature against the team's published keys (fetched
 * by `kid`, refetched when Cloudflare rotates them), issuer, audience (string or array) and expiry,
 * judged at the injected clock's time.
 */
export function createCfAccessVerifier(settings: CfAccessSettings, clock: Clock): CfAccessVerifier {
  const issuer = teamOrigin(settings.teamDomain)
  const remoteKeys = createRemoteJWKSet(new URL('/cdn-cgi/access/certs', issuer), {
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
  })
  const keys: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remoteKeys(header, token)
    } catch (err) {
      // A kid that is not published is the token's fault; anything else means the keys could not be read.
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err
      const reason = err instanceof Error ? err.message : String(err)
      throw new CfAccessUnavailableError(
        `Cloudflare Access keys could not be fetched from ${issuer}: ${reason}`,
      )
    }
  }
  return async (assertion) => {
    try {
      const { payload } = await jwtVerify(assertion, keys, {
        issuer,
        audience: settings.audience,
        algorithms: ['RS256'],
        clockTolerance: 5,
        currentDate: clock.now(),
      })
      if (typeof payload.email !== 'string' || payload.email === '') {
        throw new CfAccessError('the Access token carries no e-mail (service tokens are not accepted)')
      }
      return { email: payload.email }
    } catch (err) {
      if (err instanceof CfAccessError || err instanceof CfAccessUnavailableError) throw err
      if (err instanceof errors.JOSEError) throw new CfAccessError(`invalid Access token: ${err.code}`)
      throw err
    }
  }
}
