import type { Clock } from '../../core/clock.ts'
import type { Db } from '../../core/db/database.ts'
import { parseJson } from '../../core/db/json.ts'
import { getOutboxEvent, readOutboxAfter } from '../../core/events/outbox.ts'
import { advanceCheckpoint, checkpointOf } from '../../core/events/projector.ts'
import { badRequest, notFound } from '../../core/http/errors.ts'
import { newId, randomSecret } from '../../core/ids.ts'
import { type Resolver, refusedHost } from './adapters/address-guard.ts'
import { httpWebhookSender, type WebhookSender } from './adapters/webhook-sender.ts'
import * as repo from './repository.ts'
import type { WebhookDeliveryRow, WebhookSubscriptionRow } from './tables.ts'

export type IntegrationsDeps = {
  db: Db
  clock: Clock
  /** Hosts a delivery may reach even at an internal address (WEBHOOK_ALLOWED_HOSTS). */
  allowedHosts: string[]
  /** Resolves subscribers' host names; the system's DNS when absent (tests give their own). */
  resolve?: Resolver
}

const FANOUT_CHECKPOINT = 'webhook_fanout'
const MAX_ATTEMPTS = 8
const FIRST_RETRY_MS = 30_000
const MAX_RETRY_MS = 6 * 60 * 60_000
const DELIVERY_TIMEOUT_MS = 10_000
const BATCH = 100

const now = (deps: IntegrationsDeps) => deps.clock.now().toISOString()

function subscriptionView(row: WebhookSubscriptionRow) {
  return {
    id: row.id,
    url: row.url,
    event_types: parseJson<string[]>(row.event_types_json, []),
    active: row.active === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

export async function listSubscriptions(
  deps: IntegrationsDeps,
  orgId: string,
  filter: repo.SubscriptionPage,
) {
  const { rows, total } = await repo.listSubscriptions(deps.db, orgId, filter)
  return { data: rows.map(subscriptionView), total }
}

async function loadSubscription(deps: IntegrationsDeps, orgId: string, id: string) {
  const row = await repo.getSubscription(deps.db, orgId, id)
  if (!row) throw notFound('Webhook subscription')
  return row
}

/** Refuses a URL whose host is an internal address as written (names are checked again at delivery). */
function checkUrl(deps: IntegrationsDeps, url: string) {
  const refused = refusedHost(new URL(url), deps.allowedHosts)
  if (refused) {
    throw badRequest('webhook_address_not_allowed', `Webhooks go to public addresses only: ${refused}`)
  }
}

/** Creates a subscription; its signing secret is returned this once. */
export async function createSubscription(
  deps: IntegrationsDeps,
  orgId: string,
  input: { url: string; event_types: string[] },
) {
  checkUrl(deps, input.url)
  const at = now(deps)
  const row = {
    id: newId(),
    url: input.url,
    secret: `whsec_${randomSecret()}`,
    event_types_json: JSON.stringify([...new Set(input.event_types)]),
    active: 1,
    created_at: at,
    updated_at: at,
  }
  await repo.insertSubscription(deps.db, orgId, row)
  return { ...subscriptionView({ ...row, org_id: orgId }), secret: row.secret }
}

export async function updateSubscription(
  deps: IntegrationsDeps,
  orgId: string,
  id: string,
  input: { url?: string; event_types?: string[]; active?: boolean },
) {
  await loadSubscription(deps, orgId, id)
  if (input.url !== undefined) checkUrl(deps, input.url)
  const patch: Partial<WebhookSubscriptionRow> = { updated_at: now(deps) }
  if (input.url !== undefined) patch.url = input.url
  if (input.event_types !== undefined)
    patch.event_types_json = JSON.stringify([...new Set(input.event_types)])
  if (input.active !== undefined) patch.active = input.active ? 1 : 0
  await repo.updateSubscription(deps.db, orgId, id, patch)
  return subscriptionView(await loadSubscription(deps, orgId, id))
}

export async function deleteSubscription(deps: IntegrationsDeps, orgId: string, id: string) {
  await loadSubscription(deps, orgId, id)
  await repo.deleteSubscription(deps.db, orgId, id)
}

export async function listDeliveries(deps: IntegrationsDeps, orgId: string, subscriptionId: string) {
  await loadSubscription(deps, orgId, subscriptionId)
  const rows = await repo.listDeliveries(deps.db, orgId, subscriptionId, 200)
  return rows.map(({ org_id: _, ...row }) => row)
}

/** `Sillon-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the subscription secret>`. */
export async function signPayload(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${body}`))
  const hex = Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('')
  return `t=${timestamp},v1=${hex}`
}

/** Creates a delivery for each subscription interested in each new outbox event, past a checkpoint. */
async function fanOut(deps: IntegrationsDeps) {
  const at = now(deps)
  for (;;) {
    const checkpoint = await checkpointOf(deps.db, FANOUT_CHECKPOINT, at)
    const events = await readOutboxAfter(deps.db, checkpoint, BATCH)
    if (events.length === 0) return
    const subscriptions = await repo.activeSubscriptions(deps.db, [...new Set(events.map((e) => e.org_id))])
    const deliveries: WebhookDeliveryRow[] = events.flatMap((event) =>
      subscriptions
        .filter(
          (s) =>
            s.org_id === event.org_id && parseJson<string[]>(s.event_types_json, []).includes(event.type),
        )
        .map((s) => ({
          id: newId(),
          org_id: event.org_id,
          subscription_id: s.id,
          event_id: event.id,
          event_type: event.type,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: at,
          last_status_code: null,
          last_error: null,
          delivered_at: null,
          created_at: at,
          updated_at: at,
        })),
    )
    await deps.db.transaction().execute(async (trx) => {
      await repo.insertDeliveries(trx, deliveries)
      await advanceCheckpoint(trx, FANOUT_CHECKPOINT, events[events.length - 1]?.seq ?? 0, at)
    })
  }
}

async function deliver(deps: IntegrationsDeps, send: WebhookSender, delivery: WebhookDeliveryRow) {
  const subscription = await repo.getSubscription(deps.db, delivery.org_id, delivery.subscription_id)
  const event = await getOutboxEvent(deps.db, delivery.event_id)
  const at = deps.clock.now()
  if (!subscription || !event) return
  const body = JSON.stringify({
    id: event.id,
    type: event.type,
    version: event.version,
    occurred_at: event.occurred_at,
    organisation_id: event.org_id,
    data: event.data,
  })
  const { status, error } = await send(subscription.url, {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Sillon-Webhooks/1',
      'sillon-event-id': event.id,
      'sillon-event-type': event.type,
      'sillon-signature': await signPayload(subscription.secret, Math.floor(at.getTime() / 1000), body),
    },
    body,
  })
  const attempts = delivery.attempts + 1
  const stamp = at.toISOString()
  if (!error) {
    await repo.updateDelivery(deps.db, delivery.org_id, delivery.id, {
      status: 'delivered',
      attempts,
      last_status_code: status,
      last_error: null,
      delivered_at: stamp,
      updated_at: stamp,
    })
    return
  }
  const wait = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS)
  await repo.updateDelivery(deps.db, delivery.org_id, delivery.id, {
    status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
    attempts,
    last_status_code: status,
    last_error: error,
    next_attempt_at: new Date(at.getTime() + wait).toISOString(),
    updated_at: stamp,
  })
}

/**
 * Fans new outbox events out to subscriptions and sends the deliveries that are due. A failed delivery is
 * retried with exponential backoff (30 s, 1 min, 2 min… up to 6 h), and marked failed after 8 attempts.
 */
export async function dispatchWebhooks(deps: IntegrationsDeps) {
  const send = httpWebhookSender({
    allowedHosts: deps.allowedHosts,
    timeoutMs: DELIVERY_TIMEOUT_MS,
    resolve: deps.resolve,
  })
  await fanOut(deps)
  const due = await repo.dueDeliveries(deps.db, now(deps), BATCH)
  let sent = 0
  for (const delivery of due) {
    const lease = new Date(deps.clock.now().getTime() + DELIVERY_TIMEOUT_MS + 5_000).toISOString()
    if (!(await repo.claimDelivery(deps.db, delivery, lease))) continue
    await deliver(deps, send, delivery)
    sent++
  }
  return { sent }
}
