import { localSubscribers, type PubSub } from './pubsub.ts'

/** Pub/sub within one process (embedded mode, one node): nothing is ever missed, so `onGap` never fires. */
export function createInProcessPubSub(onError: (err: unknown) => void = () => {}): PubSub {
  const local = localSubscribers(onError)
  return {
    async publish(channel, message) {
      local.deliver(channel, message)
    },
    async subscribe(channel, handler, options) {
      const { remove } = local.add(channel, { handler, onGap: options?.onGap })
      return async () => {
        remove()
      }
    },
    async close() {
      local.clear()
    },
  }
}
