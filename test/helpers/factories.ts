import { addMember, createOrganisation } from '../../src/modules/identity/index.ts'
import type { Role } from '../../src/modules/identity/tables.ts'
import type { TestApp, TestClient } from './app.ts'

export const PASSWORD = 'correct-horse-battery'

let sequence = 0
const unique = () => `${Date.now().toString(36)}${(sequence++).toString(36)}`

export async function createOrg(t: TestApp, slug = `school-${unique()}`) {
  return createOrganisation(t.identity, {
    slug,
    name: `School ${slug}`,
    default_locale: 'fr',
    timezone: 'Europe/Paris',
  })
}

export async function createMember(
  t: TestApp,
  orgId: string,
  role: Role,
  email = `${role}-${unique()}@example.org`,
) {
  const { member } = await addMember(t.identity, orgId, 'cli', {
    email,
    name: `Test ${role}`,
    role,
    password: PASSWORD,
  })
  return { userId: member.user_id, email: member.email, role }
}

export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<TestClient> {
  const client = t.client()
  const res = await client.post('/api/auth/login', { email, password })
  if (res.status !== 200)
    throw new Error(`sign-in of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`)
  return client
}

/** A member of the organisation with the role, already signed in through the login route. */
export async function signedInMember(t: TestApp, orgId: string, role: Role) {
  const member = await createMember(t, orgId, role)
  return { ...member, client: await signIn(t, member.email) }
}
