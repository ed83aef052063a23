import { z } from '@hono/zod-openapi'
import { PaginationQuery } from '../../core/http/schemas.ts'
import { locales, roles } from './tables.ts'

const RoleSchema = z.enum(roles).openapi('Role', { example: 'student' })
const LocaleSchema = z.enum(locales).openapi({ example: 'fr' })

const Email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase())
  .openapi({ example: 'camille.martin@example.org' })
export function looksLikeEmail(value: string): boolean {
  return z.email().safeParse(value).success
}

const Password = z.string().min(8, 'must be at least 8 characters').max(256).openapi({
  example: 'a-long-passphrase',
  description:
    'At least 8 characters and hard to guess (zxcvbn score 3 or more, counting your name and e-mail as known words); otherwise 400 `weak_password`.',
})
const Timestamp = z.string().openapi({ example: '2026-11-22T09:30:00.000Z' })
const Id = z.string().min(1).max(64)

const AbandonedDaysSchema = z
  .number()
  .int()
  .min(1)
  .max(365)
  .openapi({
    description:
      'The course reports count a student as having abandoned an open (published) course they have not finished ' +
      'after this many days without activity in it; a report may ask for another value for one view',
    example: 14,
  })

const StudentMessagingSchema = z.boolean().openapi({
  description:
    'Whether students may write to one another (direct messages); off by default: students write to staff ' +
    'and to the instructors of their courses',
  example: false,
})

export const OrganisationSchema = z
  .object({
    id: z.string(),
    slug: z.string().openapi({ example: 'lycee-victor-hugo' }),
    name: z.string().openapi({ example: 'Lycée Victor Hugo' }),
    default_locale: LocaleSchema,
    timezone: z.string().openapi({ example: 'Europe/Paris' }),
    abandoned_days: AbandonedDaysSchema,
    student_messaging: StudentMessagingSchema,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Organisation')

const SlugSchema = z
  .string()
  .min(2)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'use lowercase letters, digits and inner hyphens')

const TimezoneSchema = z
  .string()
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz })
      return true
    } catch {
      return false
    }
  }, 'is not an IANA time zone')
  .openapi({ example: 'Europe/Paris' })

export const CreateOrganisationBody = z
  .object({
    slug: SlugSchema.openapi({ example: 'lycee-victor-hugo' }),
    name: z.string().trim().min(1).max(200).openapi({ example: 'Lycée Victor Hugo' }),
    default_locale: LocaleSchema.default('fr'),
    timezone: TimezoneSchema.default('Europe/Paris'),
  })
  .openapi('CreateOrganisation', {
    example: {
      slug: 'lycee-victor-hugo',
      name: 'Lycée Victor Hugo',
      default_locale: 'fr',
      timezone: 'Europe/Paris',
    },
  })

export const UpdateOrganisationBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    default_locale: LocaleSchema.optional(),
    timezone: TimezoneSchema.optional(),
    abandoned_days: AbandonedDaysSchema.optional(),
    student_messaging: StudentMessagingSchema.optional(),
  })
  .openapi('UpdateOrganisation', { example: { name: 'Lycée Victor Hugo de Besançon', abandoned_days: 21 } })

const MembershipSummary = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  role: RoleSchema,
})

export const MeSchema = z
  .object({
    user: z.object({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      locale: LocaleSchema.nullable(),
      image: z
        .string()
        .nullable()
        .openapi({ description: 'The address of their picture (PNG, JPEG or WebP), or null' }),
      is_superadmin: z.boolean(),
    }),
    organisation: OrganisationSchema.nullable(),
    role: RoleSchema.nullable(),
    student_id: z.string().nullable(),
    instructor_id: z.string().nullable(),
    organisations: z.array(MembershipSummary),
    auth_method: z.enum(['session', 'token', 'cf-access']),
  })
  .openapi('Me')

export const LoginBody = z
  .object({ email: Email, password: z.string().min(1).max(256) })
  .openapi('Login', { example: { email: 'camille.martin@example.org', password: 'a-long-passphrase' } })

export const ForgotPasswordBody = z
  .object({ email: Email })
  .openapi('ForgotPassword', { example: { email: 'camille.martin@example.org' } })

export const ResetPasswordBody = z
  .object({
    token: z.string().min(16).max(200).openapi({ description: 'From the link: /reset-password#token=…' }),
    new_password: Password,
  })
  .openapi('ResetPassword', {
    example: { token: 'Xh3kP0qLm8RzT2vYb6NcW1aD', new_password: 'an-even-longer-passphrase' },
  })

export const UpdateMeBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    locale: LocaleSchema.nullable().optional().openapi({ description: "null follows the school's language" }),
  })
  .openapi('UpdateMe', { example: { name: 'Camille Martin', locale: 'en' } })

export const ChangePasswordBody = z
  .object({
    current_password: z.string().min(1).max(256),
    new_password: Password,
    sign_out_other_sessions: z.boolean().default(true),
  })
  .openapi('ChangePassword', {
    example: {
      current_password: 'a-long-passphrase',
      new_password: 'an-even-longer-passphrase',
      sign_out_other_sessions: true,
    },
  })

export const PictureParams = z.object({
  user_id: Id.openapi({
    param: { name: 'user_id', in: 'path' },
    example: '5b0c1f8e-7f7a-4d7e-9a59-0c2b7e3a1f1d',
  }),
  picture_id: Id.openapi({
    param: { name: 'picture_id', in: 'path' },
    example: '9d3e2a47-1c5b-4f0e-8a6d-2b7c4e1f0a93',
  }),
})

export const PictureUploadForm = z
  .object({
    file: z
      .custom<File>((value) => value instanceof File, 'attach the picture in the "file" field')
      .openapi({
        type: 'string',
        format: 'binary',
        description: 'A PNG, JPEG or WebP image of 2 MB or less',
      }),
  })
  .openapi('UploadPicture')

export const SwitchOrganisationBody = z
  .object({ org_id: Id })
  .openapi('SwitchOrganisation', { example: { org_id: '0f8e5c1a-3d0b-4c57-9a59-3a1f1d0c2b7e' } })

export const MemberSchema = z
  .object({
    user_id: z.string(),
    name: z.string(),
    email: z.string(),
    image: z.string().nullable().openapi({ description: 'The address of their picture, or null' }),
    role: RoleSchema,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Member')

export const MemberListQuery = PaginationQuery.extend({
  role: RoleSchema.optional(),
  query: z.string().trim().max(200).optional().openapi({ example: 'martin' }),
})

const ExpiresInDays = z.number().int().min(1).max(90).default(7)

const ClassId = Id.nullable()
  .optional()
  .openapi({ description: 'A class (team) the student joins on accepting (students only)' })

const ClassRefSchema = z.object({ id: z.string(), name: z.string() })

export const CreateMemberBody = z
  .object({
    email: Email,
    name: z.string().trim().min(1).max(200).openapi({
      example: 'Camille Martin',
      description: 'Offered to the person when the invitation creates their account.',
    }),
    role: RoleSchema,
    expires_in_days: ExpiresInDays,
    class_id: ClassId,
  })
  .openapi('CreateMember', {
    example: {
      email: 'camille.martin@example.org',
      name: 'Camille Martin',
      role: 'student',
      expires_in_days: 7,
    },
  })

export const UpdateMemberBody = z
  .object({ role: RoleSchema })
  .openapi('UpdateMember', { example: { role: 'instructor' } })

export const MemberParams = z.object({
  user_id: Id.openapi({
    param: { name: 'user_id', in: 'path' },
    example: '5b0c1f8e-7f7a-4d7e-9a59-0c2b7e3a1f1d',
  }),
})

export const InvitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable().openapi({ description: 'The name given when the member was added' }),
    role: RoleSchema,
    class: ClassRefSchema.nullable().openapi({ description: 'The class the student joins on accepting' }),
    expires_at: Timestamp,
    created_at: Timestamp,
  })
  .openapi('Invitation')

export const CreateInvitationBody = z
  .object({
    email: Email,
    role: RoleSchema,
    expires_in_days: ExpiresInDays,
    class_id: ClassId,
  })
  .openapi('CreateInvitation', {
    example: { email: 'camille.martin@example.org', role: 'student', expires_in_days: 7 },
  })

export const CreatedInvitationSchema = InvitationSchema.extend({
  url: z.string().openapi({ description: 'The link to send; it is shown only once.' }),
}).openapi('CreatedInvitation')

export const ImportMembersBody = z
  .object({
    csv: z
      .string()
      .min(1)
      .max(1_000_000)
      .openapi({
        description:
          "The file's text: a header line naming the columns name and email, optionally role (student when " +
          'empty) and class, separated by commas, semicolons or tabs',
        example: 'name,email,role,class\nCamille Martin,camille.martin@example.org,student,3e B',
      }),
    create_classes: z
      .boolean()
      .default(false)
      .openapi({ description: 'Create the classes the file names that the school does not have' }),
    expires_in_days: ExpiresInDays,
  })
  .openapi('ImportMembers', {
    example: {
      csv: 'name,email,role,class\nCamille Martin,camille.martin@example.org,student,3e B',
      create_classes: true,
      expires_in_days: 7,
    },
  })

const importProblems = [
  'name_missing',
  'email_invalid',
  'role_unknown',
  'role_not_allowed',
  'class_unknown',
  'class_for_students_only',
  'duplicate_in_file',
  'already_member',
] as const

const ImportRowSchema = z
  .object({
    line: z.number().int().openapi({ description: "The row's line in the file (the header is line 1)" }),
    name: z.string(),
    email: z.string(),
    role: RoleSchema.nullable(),
    class_name: z.string().nullable(),
    class_id: z.string().nullable().openapi({ description: 'The existing class; null when new or none' }),
    problems: z.array(z.enum(importProblems)),
  })
  .openapi('ImportRow')

export const ImportPlanSchema = z
  .object({
    rows: z.array(ImportRowSchema),
    new_classes: z.array(z.string()).openapi({ description: 'Classes the file names that the school lacks' }),
    valid: z.boolean().openapi({ description: 'True when the import would be accepted as it is' }),
  })
  .openapi('ImportPlan')

export const ImportedMembersSchema = z
  .object({
    invitations: z.array(CreatedInvitationSchema),
    created_classes: z.array(ClassRefSchema),
  })
  .openapi('ImportedMembers')

export const InvitationParams = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' }, example: '9a593a1f-1d0c-4b7e-8f8e-5c1a3d0b4c57' }),
})

export const InvitationTokenBody = z
  .object({ token: z.string().min(16).max(200) })
  .openapi('InvitationToken', { example: { token: 'q3Vt9y0kP2mB7xW1sR8nL4cE6aH5jD0fG2iK9oU3zQ' } })

export const InvitationPreviewSchema = z
  .object({
    organisation: z.object({ name: z.string(), slug: z.string() }),
    email: z.string(),
    name: z.string().nullable().openapi({ description: 'The name suggested for a new account' }),
    role: RoleSchema,
    expires_at: Timestamp,
    signed_in_as_invitee: z.boolean().openapi({
      description:
        'The caller is signed in with the invited address and accepts as they are. Whether an account ' +
        'uses the address is never said: accepting answers 401 `sign_in_required` when one does.',
    }),
  })
  .openapi('InvitationPreview')

export const AcceptInvitationBody = InvitationTokenBody.extend({
  name: z.string().trim().min(1).max(200).optional().openapi({
    description: 'For a new account; defaults to the name given by the school',
  }),
  password: Password.optional().openapi({ description: 'For a new account' }),
}).openapi('AcceptInvitation', {
  example: {
    token: 'q3Vt9y0kP2mB7xW1sR8nL4cE6aH5jD0fG2iK9oU3zQ',
    name: 'Camille Martin',
    password: 'a-long-passphrase',
  },
})

export const AcceptedInvitationSchema = z
  .object({
    organisation: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
    user_id: z.string(),
    role: RoleSchema,
    account_created: z.boolean(),
    signed_in: z.boolean(),
  })
  .openapi('AcceptedInvitation')

export const ApiTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    user_id: z.string(),
    user_email: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the token, to recognise it' }),
    expires_at: Timestamp.nullable(),
    last_used_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .openapi('ApiToken')

export const CreateApiTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: 'Roster sync' }),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  })
  .openapi('CreateApiToken', { example: { name: 'Roster sync', expires_in_days: 365 } })

export const CreatedApiTokenSchema = ApiTokenSchema.extend({
  token: z
    .string()
    .openapi({ description: 'The secret; shown only once, send it as `Authorization: Bearer <token>`.' }),
}).openapi('CreatedApiToken')

export const ApiTokenListQuery = PaginationQuery.extend({
  query: z
    .string()
    .trim()
    .max(200)
    .optional()
    .openapi({ description: "Part of the token's name, prefix or owner's e-mail", example: 'export' }),
  all: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .openapi({ description: "Owners and admins: every member's tokens, not only yours" }),
})

/** @alias An API token's id in the path, as an invitation's. */
export const ApiTokenParams = InvitationParams

// Unified.to LMS person shapes (https://docs.unified.to, LmsStudent / LmsInstructor).

export const EmailEntry = z.object({
  email: z.email().max(254),
  type: z.enum(['WORK', 'HOME', 'OTHER']).optional(),
})
export const TelephoneEntry = z.object({
  telephone: z.string().trim().min(1).max(50),
  type: z.enum(['WORK', 'HOME', 'OTHER', 'FAX', 'MOBILE']).optional(),
})
export const Address = z.object({
  address1: z.string().max(200).optional(),
  address2: z.string().max(200).optional(),
  city: z.string().max(100).optional(),
  region: z.string().max(100).optional(),
  region_code: z.string().max(10).optional(),
  postal_code: z.string().max(20).optional(),
  country: z.string().max(100).optional(),
  country_code: z.string().max(3).optional(),
  po_box: z.string().max(50).optional(),
})

export const LmsPersonSchema = z
  .object({
    id: z.string(),
    created_at: Timestamp,
    updated_at: Timestamp,
    user_id: z.string().nullable(),
    name: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    emails: z.array(EmailEntry),
    telephones: z.array(TelephoneEntry),
    address: Address.nullable(),
    image_url: z.string().nullable(),
    title: z.string().nullable(),
    raw: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('LmsPerson')

export const personFields = {
  name: z.string().trim().min(1).max(200).nullable().optional(),
  first_name: z.string().trim().max(100).nullable().optional(),
  last_name: z.string().trim().max(100).nullable().optional(),
  emails: z.array(EmailEntry).max(10).optional(),
  telephones: z.array(TelephoneEntry).max(10).optional(),
  address: Address.nullable().optional(),
  image_url: z.url().max(2000).nullable().optional(),
  title: z.string().trim().max(200).nullable().optional(),
  raw: z.record(z.string(), z.unknown()).nullable().optional(),
}

export const personExample = {
  name: 'Camille Martin',
  first_name: 'Camille',
  last_name: 'Martin',
  emails: [{ email: 'camille.martin@example.org', type: 'WORK' }],
  telephones: [{ telephone: '+33 6 12 34 56 78', type: 'MOBILE' }],
  address: { city: 'Besançon', postal_code: '25000', country_code: 'FR' },
}

export const CreateLmsPersonBody = z
  .object(personFields)
  .refine((p) => Boolean(p.name || p.first_name || p.last_name), 'give a name, a first name or a last name')
  .openapi('CreateLmsPerson', { example: personExample })

export const UpdateLmsPersonBody = z
  .object(personFields)
  .openapi('UpdateLmsPerson', { example: { telephones: [{ telephone: '+33 3 81 00 00 00', type: 'WORK' }] } })

export const LmsPersonListQuery = PaginationQuery.extend({
  query: z.string().trim().max(200).optional().openapi({ example: 'martin' }),
  updated_gte: z.iso
    .datetime({ offset: true })
    .optional()
    .transform((v) => (v ? new Date(v).toISOString() : undefined))
    .openapi({ example: '2026-11-01T00:00:00Z' }),
  course_id: Id.optional().openapi({ description: 'Only those enrolled in (or teaching) this course' }),
  class_id: Id.optional().openapi({ description: "Only those of this step's course" }),
})

export const LmsPersonParams = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' }, example: '3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b' }),
})
