import WebSocket from 'ws'
import type { TestClient } from './app.ts'
import { waitUntil } from './wait.ts'

// A WebSocket client of /api/realtime for tests: it keeps every frame it receives and how it closed.

export type Frame = { id?: string; type: string; data: any }

type OpenOptions = {
  /** Sends this client's cookies, as a browser does. */
  as?: TestClient
  /** The Origin header; the server's own by default, none with null. */
  origin?: string | null
  query?: Record<string, string>
}

export class TestSocket {
  readonly frames: Frame[] = []
  closed: { code: number; reason: string } | null = null

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame)
    })
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() }
    })
  }

  /** Opens the socket; rejects with the HTTP status when the server refuses the upgrade. */
  static open(baseUrl: string, options: OpenOptions = {}): Promise<TestSocket> {
    const url = new URL('/api/realtime', baseUrl.replace(/^http/, 'ws'))
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value)
    const headers: Record<string, string> = {}
    const origin = options.origin === undefined ? new URL(baseUrl).origin : options.origin
    if (origin) headers.origin = origin
    if (options.as && options.as.cookies.size > 0) {
      headers.cookie = [...options.as.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    }
    const ws = new WebSocket(url, { headers })
    const socket = new TestSocket(ws)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket))
      ws.once('unexpected-response', (_request, response) => {
        reject(
          Object.assign(new Error(`upgrade refused: ${response.statusCode}`), {
            status: response.statusCode,
          }),
        )
      })
      ws.once('error', reject)
    })
  }

  /** Opens the socket and waits for its `ready` frame. */
  static async ready(baseUrl: string, options: OpenOptions = {}): Promise<TestSocket> {
    const socket = await TestSocket.open(baseUrl, options)
    await socket.next((f) => f.type === 'ready', 'the ready frame')
    return socket
  }

  /** The first frame received (so far or later) that matches. */
  async next(match: (frame: Frame) => boolean, what: string): Promise<Frame> {
    await waitUntil(() => this.frames.some(match), what)
    return this.frames.find(match) as Frame
  }

  of(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type)
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    await waitUntil(() => this.closed !== null, 'the socket to close')
    return this.closed as { code: number; reason: string }
  }

  async close() {
    if (this.closed) return
    this.ws.close()
    await this.waitClosed()
  }
}
