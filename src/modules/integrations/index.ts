// The integrations module's public face: webhook subscriptions and the delivery of integration events.
export { parseAllowedHosts } from './address-guard.ts'
export { integrationRoutes } from './routes.ts'
export { dispatchWebhooks, type IntegrationsDeps, signPayload } from './service.ts'
export { integrationEventTypes } from './tables.ts'
