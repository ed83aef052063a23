import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp, TestClient } from '../../../../test/helpers/app.ts'
import { createEmptyPostgresDatabase, testDialects } from '../../../../test/helpers/databases.ts'
import { createOrg, signedInMember } from '../../../../test/helpers/factories.ts'
import {
  freePort,
  killChildren,
  type RunningServer,
  startServer,
} from '../../../../test/helpers/processes.ts'
import { redisAvailable, TEST_REDIS_URL } from '../../../../test/helpers/redis.ts'
import { TestSocket } from '../../../../test/helpers/sockets.ts'
import { openPostgres } from '../../../core/db/connect-node.ts'

// Scale-out: two server processes on one PostgreSQL database and one Redis. A member whose socket is on
// node A hears, live, what is posted through node B, and both nodes agree on who is online.

const SECRET = 'test-secret-that-is-long-enough-for-better-auth'

describe.skipIf(!testDialects().includes('postgres') || !redisAvailable)('two nodes through Redis', () => {
  let database: Awaited<ReturnType<typeof createEmptyPostgresDatabase>>
  let nodeA: RunningServer
  let nodeB: RunningServer
  /** The factories' own app over the same database (its sessions are signed with the same secret). */
  let t: TestApp
  const sockets: TestSocket[] = []

  beforeAll(async () => {
    database = await createEmptyPostgresDatabase()
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      SESSION_SECRET: SECRET,
      SEED_DEMO: 'false',
      JOBS_ENABLED: 'false',
    }
    // One after the other: the first migrates the empty database.
    nodeA = await startServer({ ...env, PORT: String(await freePort()) })
    nodeB = await startServer({ ...env, PORT: String(await freePort()) })
    const handle = openPostgres(database.url, { max: 3 })
    t = await startTestApp('postgres', {
      database: { ...handle, url: database.url, drop: () => handle.close() },
    })
  }, 60_000)
  afterAll(async () => {
    for (const socket of sockets) await socket.close()
    await t?.close()
    await Promise.all([nodeA?.stop(), nodeB?.stop()])
    await killChildren()
    await database?.drop()
  })

  /** The member's browser session, pointed at one node. */
  function on(node: RunningServer, member: { client: TestClient }) {
    const client = new TestClient(node.url)
    for (const [name, value] of member.client.cookies) client.cookies.set(name, value)
    return client
  }

  it('delivers live on node A what is posted through node B, and both nodes agree on presence', async () => {
    const orgId = (await createOrg(t)).id
    const [teacher, student] = [
      await signedInMember(t, orgId, 'instructor'),
      await signedInMember(t, orgId, 'student'),
    ]
    const started = await teacher.client.post('/api/conversations', { member_id: student.userId })
    expect(started.status).toBe(201)
    const conversationId = started.body.id as string

    const studentOnA = await TestSocket.ready(nodeA.url, { as: on(nodeA, student) })
    sockets.push(studentOnA)
    const teacherOnB = await TestSocket.ready(nodeB.url, { as: on(nodeB, teacher) })
    sockets.push(teacherOnB)
    // B knows the student is online (on A); A tells the student the teacher arrived (on B).
    await teacherOnB.next(
      (f) => f.type === 'presence' && f.data.member_id === student.userId && f.data.online,
      'the student online, on node B',
    )
    await studentOnA.next(
      (f) => f.type === 'presence' && f.data.member_id === teacher.userId && f.data.online,
      'the teacher online, on node A',
    )
    expect(await t.realtime.isOnline(orgId, student.userId)).toBe(true)

    const posted = await on(nodeB, teacher).post(`/api/conversations/${conversationId}/messages`, {
      client_id: 'across-nodes',
      body: 'Posté sur le nœud B',
    })
    expect(posted.status, JSON.stringify(posted.body)).toBe(201)
    const live = await studentOnA.next((f) => f.type === 'message.created', 'the message on node A')
    expect(live.data).toMatchObject({ id: posted.body.id, body: 'Posté sur le nœud B' })
    await teacherOnB.next((f) => f.type === 'message.created', "the message on the author's node")
    expect(studentOnA.of('message.created')).toHaveLength(1)

    await studentOnA.close()
    await teacherOnB.next(
      (f) => f.type === 'presence' && f.data.member_id === student.userId && f.data.online === false,
      'the student offline, on node B',
    )
    expect(await t.realtime.isOnline(orgId, student.userId)).toBe(false)
  })
})
