// The integrations module's public face: webhook subscriptions and the delivery of integration events.
import type { IntegrationTables } from './tables.ts'

export { parseAllowedHosts } from './adapters/address-guard.ts'
export { integrationsPrivacy } from './privacy.ts'
export { dispatchWebhooks, type IntegrationsDeps, signPayload } from './service.ts'

declare module '../../core/db/database.ts' {
  /** The tables the integrations module owns. */
  interface Database extends IntegrationTables {}
}
