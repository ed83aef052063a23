import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAvailable, startRedisProxy } from '../../../test/helpers/redis.ts'
import { waitUntil } from '../../../test/helpers/wait.ts'
import { createInProcessPubSub } from './in-process.ts'
import type { PubSub } from './pubsub.ts'
import { createRedisPubSub } from './redis.ts'

const silent = pino({ level: 'silent' })
const channel = (name: string) => `test:${name}:${crypto.randomUUID()}`

describe('in-process pub/sub', () => {
  it('delivers to every subscriber of the channel until it unsubscribes, and a failing one stops no other', async () => {
    const errors: unknown[] = []
    const bus = createInProcessPubSub((err) => errors.push(err))
    const heard: string[] = []
    await bus.subscribe('a', () => {
      throw new Error('subscriber bug')
    })
    const stop = await bus.subscribe('a', (m) => heard.push(m))
    await bus.subscribe('b', (m) => heard.push(`b:${m}`))
    await bus.publish('a', 'one')
    await stop()
    await bus.publish('a', 'two')
    expect(heard).toEqual(['one'])
    expect(errors).toHaveLength(2)
    await bus.close()
  })
})

describe.skipIf(!redisAvailable)('Redis pub/sub', () => {
  let proxy: Awaited<ReturnType<typeof startRedisProxy>>
  let nodeA: PubSub
  let nodeB: PubSub

  beforeAll(async () => {
    proxy = await startRedisProxy()
    nodeA = createRedisPubSub(proxy.url, silent)
    nodeB = createRedisPubSub(proxy.url, silent)
  })
  afterAll(async () => {
    await nodeA.close()
    await nodeB.close()
    await proxy.close()
  })

  it('delivers across nodes, and to the publishing node once', async () => {
    const name = channel('fanout')
    const onA: string[] = []
    const onB: string[] = []
    await nodeA.subscribe(name, (m) => onA.push(m))
    await nodeB.subscribe(name, (m) => onB.push(m))
    await nodeA.publish(name, 'from A')
    await nodeB.publish(name, 'from B')
    await waitUntil(() => onA.length === 2 && onB.length === 2, 'both messages on both nodes')
    expect(onA.sort()).toEqual(['from A', 'from B'])
    expect(onB.sort()).toEqual(['from A', 'from B'])
    // A node's own message comes back from Redis too: it is not delivered a second time.
    await nodeA.publish(name, 'last')
    await waitUntil(() => onB.length === 3, 'the last message on B')
    expect(onA.filter((m) => m === 'last')).toEqual(['last'])
  })

  it('stops delivering to a subscriber that unsubscribed', async () => {
    const name = channel('unsubscribe')
    const onB: string[] = []
    const stop = await nodeB.subscribe(name, (m) => onB.push(m))
    const marker: string[] = []
    await nodeB.subscribe(`${name}:marker`, (m) => marker.push(m))
    await stop()
    await nodeA.publish(name, 'unheard')
    await nodeA.publish(`${name}:marker`, 'after')
    await waitUntil(() => marker.length === 1, 'the marker')
    expect(onB).toEqual([])
  })

  it('keeps publishing locally while Redis is away, then subscribes again and tells subscribers of the gap', async () => {
    const name = channel('restart')
    const onA: string[] = []
    const onB: string[] = []
    let gaps = 0
    await nodeA.subscribe(name, (m) => onA.push(m))
    await nodeB.subscribe(name, (m) => onB.push(m), { onGap: () => gaps++ })
    await proxy.cut()
    // Neither throws: A's own subscriber hears it, B cannot.
    await nodeA.publish(name, 'while away')
    expect(onA).toEqual(['while away'])
    await proxy.restore()
    await waitUntil(() => gaps > 0, 'the gap to be reported on B')
    await waitUntil(async () => {
      await nodeA.publish(name, 'back')
      return onB.includes('back')
    }, 'B to hear A again')
    expect(onB).not.toContain('while away')
  })
})
