import { randomUUID } from 'node:crypto'

// Plausible VIDEO_PING traffic: students take turns, each watching at normal speed from their first ping,
// so the anti-skip rule credits what they send (position never ahead of the real time since they started).

export type PingRequest = { headers: Record<string, string>; body: string }

type Viewer = { token: string; startedAt: number | null; position: number }

const round = (value: number) => Math.round(value * 10) / 10

export function pingTraffic(tokens: string[], classId: string, videoSec: number) {
  const viewers: Viewer[] = tokens.map((token) => ({ token, startedAt: null, position: 0 }))
  let turn = 0

  /** The next student in turn, with where their player is now (watching at 1×). */
  function nextViewer(now: number) {
    const viewer = viewers[turn++ % viewers.length] as Viewer
    viewer.startedAt ??= now
    const from = viewer.position
    viewer.position = round(Math.min((now - viewer.startedAt) / 1000, videoSec))
    return { viewer, from }
  }

  function request(viewer: Viewer, body: unknown): PingRequest {
    return {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.token}` },
      body: JSON.stringify(body),
    }
  }

  return {
    /** One ping at the student's current position, as a player sends every few seconds. */
    single(): PingRequest {
      const { viewer } = nextViewer(Date.now())
      return request(viewer, {
        event_id: randomUUID(),
        class_id: classId,
        position: viewer.position,
        playback_rate: 1,
      })
    },
    /** `size` pings spread over what the student watched since their last request, as an offline player resends them. */
    batch(size: number): PingRequest {
      const now = Date.now()
      const { viewer, from } = nextViewer(now)
      const span = viewer.position - from
      const events = Array.from({ length: size }, (_, i) => {
        const share = (i + 1) / size
        return {
          event_id: randomUUID(),
          class_id: classId,
          position: round(from + span * share),
          playback_rate: 1,
          occurred_at: new Date(now - (1 - share) * span * 1000).toISOString(),
        }
      })
      return request(viewer, { events })
    },
  }
}
