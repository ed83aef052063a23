import { ApiError, api, type Schemas } from './client.ts'

// Video pings must survive a lost connection: each gets its id when it happens, waits in localStorage
// while offline, and goes in one batch when the connection is back (the server dedupes on the id and
// judges a late batch by server time).

type Ping = Schemas['VideoPing']
type Progress = Schemas['StepProgress']

const KEY = 'sillon.pending-pings'
const MAX_PENDING = 500

function pending(): Ping[] {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '[]') as Ping[]
  } catch {
    return []
  }
}

function store(pings: Ping[]) {
  if (pings.length === 0) localStorage.removeItem(KEY)
  else localStorage.setItem(KEY, JSON.stringify(pings.slice(-MAX_PENDING)))
}

let flushing: Promise<Progress[] | null> | null = null
let retryTimer: ReturnType<typeof setTimeout> | undefined
let retryDelayMs = 0

// The server answers 503 while its database restarts and 429 when it sheds load: the pings are kept and
// sent again later, waiting longer each time (up to a minute), so nothing watched during an outage is lost.
function retryLater() {
  retryDelayMs = Math.min(Math.max(retryDelayMs * 2, 2_000), 60_000)
  clearTimeout(retryTimer)
  retryTimer = setTimeout(() => void flushPings().catch(() => undefined), retryDelayMs)
}

const worthRetrying = (err: unknown) =>
  err instanceof TypeError || (err instanceof ApiError && (err.status >= 500 || err.status === 429))

const listeners = new Set<(progress: Progress[]) => void>()

/** Hears the progress the server reports for every batch sent, the one sent on reconnecting included. */
export function onPingsSent(listener: (progress: Progress[]) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/**
 * Sends what waits, in order, and then what was recorded while it was on its way (the ping of a pause
 * that follows a play at once, the end of a video); keeps it when the network fails or the server is
 * unavailable, drops it when the server refused it.
 */
function flushPings(): Promise<Progress[] | null> {
  flushing ??= (async () => {
    try {
      let progress: Progress[] | null = null
      for (let events = pending(); events.length > 0; events = pending()) {
        try {
          const result = await api.POST('/api/video-event', { body: { events } })
          store(pending().filter((p) => !events.some((e) => e.event_id === p.event_id)))
          progress = result.data?.progress ?? null
          retryDelayMs = 0
          if (progress) for (const listener of listeners) listener(progress)
        } catch (err) {
          // A refusal (4xx: the step closed, a bad ping) will not succeed later; a network error, an
          // unavailable server or a rate limit will.
          if (worthRetrying(err)) {
            if (!(err instanceof TypeError)) retryLater()
            return progress
          }
          store(pending().filter((p) => !events.some((e) => e.event_id === p.event_id)))
          throw err
        }
      }
      return progress
    } finally {
      flushing = null
    }
  })()
  return flushing
}

/** Records a ping and sends it with anything that waited; returns the step's progress when online. */
export async function sendPing(ping: Omit<Ping, 'event_id' | 'occurred_at'>): Promise<Progress | null> {
  store([...pending(), { ...ping, event_id: crypto.randomUUID(), occurred_at: new Date().toISOString() }])
  if (!navigator.onLine) return null
  const progress = await flushPings()
  return progress?.find((p) => p.class_id === ping.class_id) ?? null
}

window.addEventListener('online', () => void flushPings().catch(() => undefined))
