import { z } from '@hono/zod-openapi'
import { auditActions, auditActorKinds, auditTargetTypes } from './contract.ts'

// A filter's date is a UTC day (`from` its start, `to` its end) or an instant.
const Instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .optional()
  .openapi({ example: '2026-12-01' })

export const AuditFilterQuery = z.object({
  action: z.enum(auditActions).optional().openapi({ example: 'member.role_changed' }),
  actor_id: z.string().min(1).max(64).optional().openapi({ description: 'The account that acted' }),
  actor_kind: z.enum(auditActorKinds).optional(),
  target_type: z.enum(auditTargetTypes).optional(),
  target_id: z.string().min(1).max(64).optional(),
  query: z
    .string()
    .trim()
    .max(200)
    .optional()
    .openapi({ description: "Part of the actor's or the target's name or e-mail", example: 'martin' }),
  from: Instant.openapi({ description: 'From this day (UTC) or instant, inclusive' }),
  to: Instant.openapi({ description: 'Until this day (UTC, inclusive) or instant (exclusive)' }),
})

const Page = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ example: 25 }),
  offset: z.coerce.number().int().min(0).default(0).openapi({ example: 0 }),
})

export const AuditListQuery = AuditFilterQuery.extend(Page.shape)

const OrgFilter = z.object({
  org_id: z.string().min(1).max(64).optional().openapi({
    description: "A school's id, or `platform` for the platform's own entries; every entry when absent",
    example: 'platform',
  }),
})

export const PlatformAuditFilterQuery = AuditFilterQuery.extend(OrgFilter.shape)
export const PlatformAuditListQuery = AuditListQuery.extend(OrgFilter.shape)

const AuditEntrySchema = z
  .object({
    id: z.string(),
    org_id: z.string().nullable().openapi({ description: "null for the platform's own entries" }),
    occurred_at: z.string(),
    actor: z.object({
      kind: z.enum(auditActorKinds),
      id: z.string().nullable(),
      label: z.string().nullable().openapi({ description: 'Name and e-mail when the action was done' }),
    }),
    action: z.enum(auditActions),
    target: z.object({
      type: z.enum(auditTargetTypes),
      id: z.string().nullable(),
      label: z.string().nullable(),
    }),
    details: z.record(z.string(), z.unknown()).openapi({
      description: 'What changed, e.g. `{ "from": "student", "to": "instructor" }`',
    }),
    ip: z
      .string()
      .nullable()
      .openapi({ description: "The caller's address (behind a trusted proxy, its client)" }),
    user_agent: z.string().nullable(),
  })
  .openapi('AuditEntry')

export const AuditPageSchema = z.object({ data: z.array(AuditEntrySchema), total: z.number().int() })
