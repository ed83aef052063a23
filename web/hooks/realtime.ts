import { useEffect, useRef, useSyncExternalStore } from 'react'

// One WebSocket to /api/realtime for the signed-in tab (README, "Real time"): the server pushes events
// (`message.created`, `message.updated`, `conversation.read`, `typing`, `notification.created`…) as
// `{ id?, type, data }`. Durable events carry an `id`; after a drop the tab reconnects with `?after=` the
// last one it saw (or the cursor of `ready`) and receives what it missed, then `ready`; `ready.resync` says
// it was too far behind and should reload over HTTP. While there is no socket (never connected, or
// reconnecting), `useRealtimeOpen()` is false and the pages that show live data poll instead.

export type RealtimeFrame = { id?: string; type: string; data: Record<string, unknown> }
type Listener = (frame: RealtimeFrame) => void

const listeners = new Set<Listener>()
const openListeners = new Set<() => void>()
let socket: WebSocket | null = null
let open = false
let lastId: string | null = null
let attempts = 0
let users = 0
let retry: ReturnType<typeof setTimeout> | undefined
const decoder = new TextDecoder()
/** Who among the people sharing a conversation with the member is connected (`presence` frames). */
let online = new Set<string>()
const onlineListeners = new Set<() => void>()

function setOnline(next: Set<string>) {
  online = next
  for (const listener of onlineListeners) listener()
}

function trackPresence(frame: RealtimeFrame) {
  const memberId = frame.data.member_id
  if (frame.type !== 'presence' || typeof memberId !== 'string') return
  if ((frame.data.online === true) === online.has(memberId)) return
  const next = new Set(online)
  if (frame.data.online === true) next.add(memberId)
  else next.delete(memberId)
  setOnline(next)
}

function setOpen(value: boolean) {
  if (open === value) return
  open = value
  for (const listener of openListeners) listener()
}

function connect() {
  clearTimeout(retry)
  const url = new URL('/api/realtime', window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  if (lastId) url.searchParams.set('after', lastId)
  let ws: WebSocket
  try {
    ws = new WebSocket(url)
  } catch {
    scheduleReconnect()
    return
  }
  socket = ws
  // Frames are JSON, whether the server sends them as text or as binary (UTF-8) frames.
  ws.binaryType = 'arraybuffer'
  ws.onopen = () => {
    attempts = 0
    setOpen(true)
  }
  ws.onmessage = (event) => {
    let frame: RealtimeFrame
    try {
      const text = event.data instanceof ArrayBuffer ? decoder.decode(event.data) : String(event.data)
      frame = JSON.parse(text) as RealtimeFrame
    } catch {
      return
    }
    if (!frame || typeof frame.type !== 'string') return
    if (typeof frame.id === 'string') lastId = frame.id
    // Caught up: resume from its cursor next time, even if no durable event comes meanwhile.
    if (frame.type === 'ready' && typeof frame.data?.cursor === 'string') lastId = frame.data.cursor
    const received = { ...frame, data: frame.data ?? {} }
    trackPresence(received)
    for (const listener of listeners) listener(received)
  }
  ws.onclose = () => {
    if (socket !== ws) return
    socket = null
    setOpen(false)
    // Presence is told again on the next connection; meanwhile nobody is known to be there.
    setOnline(new Set())
    scheduleReconnect()
  }
}

/** Tries again after 1, 2, 4… up to 30 seconds (with some jitter, so a restarted server is not stampeded). */
function scheduleReconnect() {
  if (users === 0) return
  const delay = Math.min(30_000, 1000 * 2 ** attempts) * (0.75 + Math.random() / 2)
  attempts++
  retry = setTimeout(connect, delay)
}

function disconnect() {
  clearTimeout(retry)
  const ws = socket
  socket = null
  setOpen(false)
  ws?.close(1000)
}

/** Keeps the tab's socket open while the component (the signed-in shell) is mounted. */
export function useRealtimeConnection(enabled: boolean) {
  useEffect(() => {
    if (!enabled || typeof WebSocket === 'undefined') return
    users++
    if (users === 1) connect()
    // Back from a sleeping laptop or a lost network: try at once rather than at the end of the backoff.
    const online = () => {
      if (!socket) {
        attempts = 0
        connect()
      }
    }
    window.addEventListener('online', online)
    return () => {
      window.removeEventListener('online', online)
      users--
      if (users === 0) disconnect()
    }
  }, [enabled])
}

/** Calls `handler` with each event the server pushes (the latest handler, without resubscribing). */
export function useRealtimeEvents(handler: Listener) {
  const current = useRef(handler)
  current.current = handler
  useEffect(() => {
    const listener: Listener = (frame) => current.current(frame)
    listeners.add(listener)
    return () => {
      listeners.delete(listener)
    }
  }, [])
}

/** Whether the socket is open; when not, live pages poll. */
export function useRealtimeOpen(): boolean {
  return useSyncExternalStore(
    (listener) => {
      openListeners.add(listener)
      return () => openListeners.delete(listener)
    },
    () => open,
  )
}

/** Whether this member is connected now, as far as the socket tells (false while it is down). */
export function useOnline(memberId: string | undefined): boolean {
  return useSyncExternalStore(
    (listener) => {
      onlineListeners.add(listener)
      return () => onlineListeners.delete(listener)
    },
    () => memberId !== undefined && online.has(memberId),
  )
}

/** Sends a frame to the server if the socket is open (typing notices are worth nothing late). */
export function sendRealtime(frame: Record<string, unknown>): boolean {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false
  socket.send(JSON.stringify(frame))
  return true
}
