import { addMember, createOrganisation, profilesOfUser } from '../../src/modules/identity/index.ts'
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
  const { member } = await addMember(
    t.identity,
    orgId,
    'cli',
    { email, name: `Test ${role}`, role, password: PASSWORD },
    { passwordCheck: false },
  )
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

/** A student member with their lms_student profile id. */
export async function createStudent(t: TestApp, orgId: string) {
  const member = await createMember(t, orgId, 'student')
  const { studentId } = await profilesOfUser(t.identity, orgId, member.userId)
  return { ...member, studentId: studentId as string }
}

/** Bodies of complete steps of each type, for POST /api/lms/classes. */
export const completeSteps = {
  video: {
    name: 'Watch',
    step_type: 'video',
    video: { source: 'url', url: 'https://v.example/a.mp4', duration_sec: 120 },
  },
  quiz: {
    name: 'Check',
    step_type: 'quiz',
    quiz: {
      questions: [
        {
          id: 'q1',
          type: 'single_choice',
          prompt: 'Which planet is red?',
          choices: [
            { id: 'a', text: 'Mars' },
            { id: 'b', text: 'Venus' },
          ],
          answer: 'a',
          explanation: 'Iron oxide makes Mars red.',
        },
      ],
    },
  },
  video_quiz: {
    name: 'Watch and check',
    step_type: 'video_quiz',
    video: { source: 'stream', uid: '5d5bc37ffcf54c9b82e996823bffbb81', duration_sec: 300 },
    quiz: { tally: { form_id: 'wMq1ZQ', max_score: 10, signing_secret: 'tally-signing-secret' } },
  },
  reading: { name: 'Read', step_type: 'reading', content_md: '# Summary\n\nThe inner planets are rocky.' },
} as const
