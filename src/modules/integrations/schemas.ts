import { z } from '@hono/zod-openapi'
import { PaginationQuery } from '../../core/http/schemas.ts'
import { integrationEventTypes } from './tables.ts'

const EventTypes = z.array(z.enum(integrationEventTypes)).min(1).max(integrationEventTypes.length)

export const SubscriptionSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    event_types: z.array(z.string()),
    active: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('WebhookSubscription')

export const SubscriptionListQuery = PaginationQuery.extend({
  query: z.string().trim().max(200).optional().openapi({ description: 'Part of the URL', example: 'hooks' }),
})

export const CreatedSubscriptionSchema = SubscriptionSchema.extend({
  secret: z.string().openapi({ description: 'Signing secret, shown once: verify Sillon-Signature with it' }),
}).openapi('CreatedWebhookSubscription')

export const CreateSubscriptionBody = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2000),
    event_types: EventTypes,
  })
  .openapi('CreateWebhookSubscription', {
    example: { url: 'https://sis.example.org/hooks/sillon', event_types: ['learner.course_completed'] },
  })

export const UpdateSubscriptionBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    event_types: EventTypes.optional(),
    active: z.boolean().optional(),
  })
  .openapi('UpdateWebhookSubscription', { example: { active: false } })

export const SubscriptionParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
})

export const DeliverySchema = z
  .object({
    id: z.string(),
    subscription_id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    next_attempt_at: z.string(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('WebhookDelivery')
