import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'

// Webhook URLs are typed by school admins, and Sillon's server sits next to things they must not reach:
// its database, the cloud's metadata service, the admin ports of the host. A delivery goes only to public
// unicast addresses, checked after DNS resolution, unless the operator names the host in
// WEBHOOK_ALLOWED_HOSTS.

const globalUnicastV6 = ipaddr.parseCIDR('2000::/3')

/**
 * Whether a delivery may connect to this address: public unicast IPv4, or global unicast IPv6 (2000::/3,
 * without 6to4, Teredo, NAT64 and the other ranges that lead back to IPv4 or to nowhere public). An
 * IPv4-mapped IPv6 address is judged as the IPv4 address it maps.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  const parsed = ipaddr.parse(address)
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast'
  const v6 = parsed as ipaddr.IPv6
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().range() === 'unicast'
  return v6.range() === 'unicast' && v6.match(globalUnicastV6)
}

/** A URL's host as WEBHOOK_ALLOWED_HOSTS names it: lower case, IPv6 without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1')
}

/** Parses WEBHOOK_ALLOWED_HOSTS: host names or addresses, separated by commas. */
export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1'),
    )
    .filter(Boolean)
}

/**
 * Why this URL's host is refused before any lookup (an internal address written out, or a name that is
 * loopback by definition), or null. Names that resolve to internal addresses are refused at delivery.
 */
export function refusedHost(url: URL, allowedHosts: string[]): string | null {
  const host = hostOf(url)
  if (allowedHosts.includes(host)) return null
  if (host === 'localhost' || host.endsWith('.localhost')) return 'localhost is not a public address'
  if (isIP(host) && !isPublicAddress(host)) return `${host} is not a public address`
  return null
}

/** Raised by the guarded lookup; the delivery log records it as "address not allowed". */
export class AddressNotAllowedError extends Error {
  constructor(readonly host: string) {
    super(`${host} resolves to an address that is not public`)
    this.name = 'AddressNotAllowedError'
  }
}

/** Resolves a host name to all its addresses (the system resolver, or a test's). */
export type Resolver = (
  hostname: string,
  callback: (err: Error | null, addresses: LookupAddress[]) => void,
) => void

const systemResolver: Resolver = (hostname, callback) =>
  dnsLookup(hostname, { all: true, verbatim: true }, callback)

/**
 * A `lookup` for sockets that resolves the name once, refuses it when any of its addresses is not public,
 * and hands the socket the addresses it checked: the connection goes to a checked address, so a DNS
 * answer that changes between check and connect (rebinding) cannot redirect it.
 */
export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (err, found) => {
      if (err) return callback(err, '', 4)
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family
      const addresses = found.filter((a) => !family || a.family === family)
      const [first] = addresses
      if (!first || found.some((a) => !isPublicAddress(a.address)))
        return callback(new AddressNotAllowedError(hostname), '', 4)
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses)
      callback(null, first.address, first.family)
    })
  }
}
