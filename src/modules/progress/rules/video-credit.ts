/**
 * The anti-skip rule. Credit is the furthest position plausibly watched: a ping advances it only when
 * its position is within `max_playback_rate` × the real time (server clock) since the student's first
 * ping of this video, plus a tolerance. So no student ever gets credit for more video than the fastest
 * allowed playback of the time that really passed. Other pings are kept but flagged as skip attempts.
 */
export function creditPing(
  state: { startedAt: string | null; credited: number },
  ping: { positionSec: number; receivedAt: string },
  rules: { durationSec: number; maxPlaybackRate: number; toleranceSec: number },
): { startedAt: string; credited: number; skipped: boolean } {
  const startedAt = state.startedAt ?? ping.receivedAt
  const elapsedSec = Math.max(0, (Date.parse(ping.receivedAt) - Date.parse(startedAt)) / 1000)
  const position = Math.min(Math.max(ping.positionSec, 0), rules.durationSec)
  if (position <= state.credited) return { startedAt, credited: state.credited, skipped: false }
  const plausible = rules.maxPlaybackRate * elapsedSec + rules.toleranceSec
  if (position > plausible) return { startedAt, credited: state.credited, skipped: true }
  return { startedAt, credited: position, skipped: false }
}

/** A video counts as watched once the credit reaches the threshold share of the catalog's duration. */
export function videoWatched(credited: number, durationSec: number, threshold: number): boolean {
  return durationSec > 0 && credited >= threshold * durationSec - 1e-9
}
