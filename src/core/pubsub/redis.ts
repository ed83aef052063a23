import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { newId } from '../ids.ts'
import { localSubscribers, type PubSub } from './pubsub.ts'

// Pub/sub across nodes through Redis. A node delivers what it publishes to its own subscribers at once,
// then through Redis to the others, and ignores its own messages coming back: while Redis is away (a
// restart), publishing logs once and goes on locally, subscriptions come back by themselves (ioredis
// reconnects and subscribes again), and subscribers hear `onGap` so that they read what they missed from
// where it was stored.

/** The longest a new subscription waits for Redis to confirm it; after that it is confirmed when Redis is back. */
const SUBSCRIBE_WAIT_MS = 2_000

export function createRedisPubSub(url: string, logger: Logger): PubSub {
  const nodeId = newId()
  const local = localSubscribers((err) => logger.error({ err }, 'pub/sub subscriber failed'))
  const options = {
    // Without this, ioredis would hold commands while Redis is away: a publish fails at once instead.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (times: number) => Math.min(100 * times, 2_000),
  }
  const publisher = new Redis(url, options)
  // The subscriber queues its SUBSCRIBE commands until Redis answers, and repeats them after a reconnect.
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null })
  let publishing = true
  let connected = false
  let lostOnce = false
  let closing = false

  for (const [name, client] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    // An EventEmitter's unheard 'error' would end the process.
    client.on('error', (err) => {
      if (!closing) logger.debug({ err, client: name }, 'redis connection error')
    })
  }
  subscriber.on('ready', () => {
    if (lostOnce) {
      logger.info('redis is back: subscriptions restored')
      // Whatever was published while we were away never reached us.
      local.gap()
    }
    connected = true
  })
  subscriber.on('close', () => {
    if (closing || !connected) return
    connected = false
    lostOnce = true
    logger.warn('redis connection lost: other nodes are not heard until it is back')
  })
  subscriber.on('message', (channel: string, raw: string) => {
    const space = raw.indexOf(' ')
    if (space < 0 || raw.slice(0, space) === nodeId) return
    local.deliver(channel, raw.slice(space + 1))
  })

  return {
    async publish(channel, message) {
      local.deliver(channel, message)
      try {
        await publisher.publish(channel, `${nodeId} ${message}`)
        if (!publishing) logger.info('redis publishing restored')
        publishing = true
      } catch (err) {
        if (publishing)
          logger.warn({ err }, 'redis unavailable: publishing to this node only until it is back')
        publishing = false
      }
    },
    async subscribe(channel, handler, subscribeOptions) {
      const { first, remove } = local.add(channel, { handler, onGap: subscribeOptions?.onGap })
      if (first) {
        const confirmed = subscriber.subscribe(channel).catch((err: unknown) => {
          logger.warn({ err, channel }, 'redis subscription failed; it is retried when redis is back')
        })
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          confirmed,
          new Promise((resolve) => {
            timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS)
          }),
        ])
        clearTimeout(timer)
      }
      return async () => {
        if (!remove()) return
        // Redis away: a message still arriving on the channel finds no local subscriber and is dropped.
        await subscriber.unsubscribe(channel).catch(() => undefined)
      }
    },
    async close() {
      closing = true
      local.clear()
      publisher.disconnect()
      subscriber.disconnect()
    },
  }
}
