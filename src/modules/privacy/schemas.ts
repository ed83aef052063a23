import { z } from '@hono/zod-openapi'

const USER_ID = '5b0c1f8e-7f7a-4d7e-9a59-0c2b7e3a1f1d'

export const MemberDataParams = z.object({
  user_id: z.string().openapi({ param: { name: 'user_id', in: 'path' }, example: USER_ID }),
})

const personalDataExample = {
  generated_at: '2026-12-07T10:00:00.000Z',
  school: { id: 'a3e1c0de-1111-4a4a-9b9b-2c2c2c2c2c2c', slug: 'lycee-verne', name: 'Lycée Jules Verne' },
  person: { user_id: USER_ID, name: 'Léa Martin', email: 'lea.martin@example.org', role: 'student' },
  modules: {
    identity: { account: { id: USER_ID, name: 'Léa Martin', email: 'lea.martin@example.org' } },
    progress: { steps: [{ course_id: 'c1', class_id: 's1', step_completed_at: '2026-12-01T09:12:00.000Z' }] },
    gamification: {
      xp_ledger: [{ cause: 'quiz_passed', points: 20, occurred_at: '2026-12-01T09:12:00.000Z' }],
    },
  },
}

export const PersonalDataSchema = z
  .object({
    generated_at: z.string(),
    school: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    person: z.object({
      user_id: z.string(),
      name: z.string(),
      email: z.string(),
      role: z.string().nullable().openapi({ description: 'Null for a former member whose profile remains' }),
    }),
    modules: z.record(z.string(), z.record(z.string(), z.unknown())).openapi({
      description:
        "Each module's data about the person, by module then by kind: the account and profiles (identity), " +
        'enrolments and classes (catalog), learning events (tracking), progress and signals (progress), XP, ' +
        'badges, streaks and hearts (gamification), mastery, integration events, audit entries.',
    }),
  })
  .openapi('PersonalData', { example: personalDataExample })

export const EraseMemberBody = z
  .object({
    confirm_email: z.string().trim().min(1).max(320).openapi({
      description: "The member's e-mail, typed again: the erasure cannot be undone.",
      example: 'lea.martin@example.org',
    }),
  })
  .openapi('EraseMember', { example: { confirm_email: 'lea.martin@example.org' } })

export const ErasureSchema = z
  .object({
    account_deleted: z.boolean().openapi({
      description:
        'Whether the account was deleted too: false when another school (or the platform) still has it, ' +
        'which keeps its name and e-mail and loses everything of this school.',
    }),
  })
  .openapi('Erasure', { example: { account_deleted: true } })

export const RetentionSchema = z
  .object({
    retention_days: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .nullable()
      .openapi({
        description:
          'How many days the personal data of a member who left (removed, profile kept) is kept before the ' +
          'nightly job erases them; null keeps it until an erasure is asked.',
        example: 365,
      }),
  })
  .openapi('PrivacyRetention', { example: { retention_days: 365 } })
