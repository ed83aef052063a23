import { createServer, type Server, Socket } from 'node:net'
import { Redis } from 'ioredis'

// The Redis of the tests: TEST_REDIS_URL, or the local default. Like PostgreSQL, it is required in CI
// (CI=true) and optional elsewhere: tests that need it are skipped when it is not reachable.

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

async function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

const reachable = await redisReachable()
if (!reachable && process.env.CI === 'true') {
  throw new Error(`CI=true but Redis is unreachable at ${TEST_REDIS_URL}: pub/sub tests must run on it`)
}

/** Whether the tests that need Redis run (always in CI). */
export const redisAvailable = reachable

/**
 * A TCP proxy in front of the test Redis, so that a test can make Redis "restart" for its clients without
 * touching the server others use: `cut()` drops every connection and refuses new ones, `restore()` lets
 * them in again, on the same port.
 */
export async function startRedisProxy(url = TEST_REDIS_URL) {
  const target = new URL(url)
  const sockets = new Set<Socket>()
  let server: Server | null = null
  let port = 0
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket()
        sockets.add(client).add(upstream)
        const drop = () => {
          client.destroy()
          upstream.destroy()
          sockets.delete(client)
          sockets.delete(upstream)
        }
        client.on('error', drop).on('close', drop)
        upstream.on('error', drop).on('close', drop)
        upstream.connect(Number(target.port || 6379), target.hostname, () => {
          client.pipe(upstream)
          upstream.pipe(client)
        })
      })
      server.listen(port, '127.0.0.1', () => {
        const address = server?.address()
        if (address && typeof address === 'object') port = address.port
        resolve()
      })
    })
  await listen()
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      sockets.clear()
      if (!server) return resolve()
      server.close(() => resolve())
      server = null
    })
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: close,
    restore: listen,
    close,
  }
}
