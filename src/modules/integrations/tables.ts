export const integrationEventTypes = [
  'learner.step_completed',
  'learner.course_completed',
  'learner.quiz_passed',
] as const

export type WebhookSubscriptionRow = {
  id: string
  org_id: string
  url: string
  secret: string
  event_types_json: string
  active: number
  created_at: string
  updated_at: string
}

export type WebhookDeliveryRow = {
  id: string
  org_id: string
  subscription_id: string
  event_id: string
  event_type: string
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  next_attempt_at: string
  last_status_code: number | null
  last_error: string | null
  delivered_at: string | null
  created_at: string
  updated_at: string
}

export type IntegrationTables = {
  webhook_subscriptions: WebhookSubscriptionRow
  webhook_deliveries: WebhookDeliveryRow
}
