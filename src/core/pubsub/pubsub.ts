// Publish/subscribe between the parts of one node, or between nodes (Redis). Messages are strings; what
// they mean is the publisher's and the subscribers' business. Delivery is at most once and may be lost
// (a node restarting, Redis restarting): whoever needs every message stores it first and reads back what
// it may have missed, which `onGap` tells them to do.

/** Stops one subscription; resolves once the channel is no longer listened to for it. */
type Unsubscribe = () => Promise<void>

type SubscribeOptions = {
  /**
   * Called when messages published on the channel may have been missed (the connection to Redis was lost
   * and is back): the subscriber reads what it needs from where it stores it.
   */
  onGap?: () => void
}

export type PubSub = {
  /** Delivers to every subscriber of the channel, on this node at once and on the others when it can. */
  publish(channel: string, message: string): Promise<void>
  subscribe(
    channel: string,
    handler: (message: string) => void,
    options?: SubscribeOptions,
  ): Promise<Unsubscribe>
  close(): Promise<void>
}

type Subscriber = { handler: (message: string) => void; onGap?: () => void }

/**
 * The subscribers of this node, by channel: the in-process pub/sub itself, and the local half of the Redis
 * one. A handler that throws is reported to `onError` and never stops the others.
 */
export function localSubscribers(onError: (err: unknown) => void) {
  const channels = new Map<string, Set<Subscriber>>()
  return {
    /** Adds a subscriber; `first` says whether the channel had none before. */
    add(channel: string, subscriber: Subscriber): { first: boolean; remove: () => boolean } {
      let set = channels.get(channel)
      const first = set === undefined
      if (!set) {
        set = new Set()
        channels.set(channel, set)
      }
      set.add(subscriber)
      return {
        first,
        /** Removes it; true when the channel has no subscriber left. */
        remove: () => {
          const current = channels.get(channel)
          if (!current?.delete(subscriber)) return false
          if (current.size > 0) return false
          channels.delete(channel)
          return true
        },
      }
    },
    deliver(channel: string, message: string) {
      const set = channels.get(channel)
      if (!set) return
      for (const { handler } of [...set]) {
        try {
          handler(message)
        } catch (err) {
          onError(err)
        }
      }
    },
    gap() {
      for (const set of channels.values()) {
        for (const { onGap } of [...set]) {
          try {
            onGap?.()
          } catch (err) {
            onError(err)
          }
        }
      }
    },
    channels: () => [...channels.keys()],
    clear: () => channels.clear(),
  }
}
