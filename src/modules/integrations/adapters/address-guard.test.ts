import { describe, expect, it } from 'vitest'
import { isPublicAddress, parseAllowedHosts, refusedHost } from './address-guard.ts'

describe('webhook address checks', () => {
  it('lets only public unicast addresses through', () => {
    const internal = [
      '127.0.0.1',
      '127.8.9.10',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.100.100.200',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '198.18.0.1',
      '::',
      '::1',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      '::7f00:1',
      '64:ff9b::a9fe:a9fe',
      '2002:a9fe:a9fe::1',
      '2001::1',
      'not an address',
    ]
    for (const address of internal) expect(isPublicAddress(address), address).toBe(false)
    for (const address of ['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.215.14'])
      expect(isPublicAddress(address), address).toBe(true)
  })

  it('refuses internal addresses written in a URL unless the operator allows the host', () => {
    const refused = (url: string, allowed: string[] = []) => refusedHost(new URL(url), allowed) !== null
    expect(refused('http://127.0.0.1:8080/')).toBe(true)
    expect(refused('http://0x7f.1/')).toBe(true)
    expect(refused('http://[::ffff:127.0.0.1]/')).toBe(true)
    expect(refused('http://LOCALHOST/')).toBe(true)
    expect(refused('https://hooks.example.org/')).toBe(false)
    expect(refused('http://127.0.0.1:8080/', parseAllowedHosts('127.0.0.1'))).toBe(false)
    expect(refused('http://[::1]/', parseAllowedHosts(' hooks.local , [::1] '))).toBe(false)
    expect(refused('http://10.0.0.1/', parseAllowedHosts('127.0.0.1'))).toBe(true)
  })
})
