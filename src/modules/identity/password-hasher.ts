import { hashPassword, verifyPassword } from 'better-auth/crypto'

/**
 * How account passwords are hashed and checked, for better-auth's sign-in and password change and for the
 * accounts Sillon creates itself (members, invitations). Deliberately slow in production; tests pass a
 * cheap one, since hashing dominates the cost of creating and signing in their members.
 */
export type PasswordHasher = {
  hash(password: string): Promise<string>
  verify(data: { hash: string; password: string }): Promise<boolean>
}

/** better-auth's own: scrypt (node:crypto, off the event loop), stored as `salt:key` in hex. */
export const scryptPasswordHasher: PasswordHasher = { hash: hashPassword, verify: verifyPassword }
