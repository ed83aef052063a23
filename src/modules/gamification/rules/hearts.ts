import type { GamificationSettings } from './settings.ts'

// Hearts as a pure function of time: a failed quiz costs one (never below zero); hearts come back one per
// `regen_interval_minutes`, counted from the anchor (when the period in progress started), up to the
// maximum. Nothing depends on when the state is read or stored, so lazy reads, the refill job and a replay
// all agree.

export type HeartRules = GamificationSettings['hearts']

export type HeartsState = {
  hearts: number
  /** When the regeneration period in progress started; null when full. */
  refill_anchor_at: string | null
  /** The time the state is as of; null for a student never touched (full). */
  updated_at: string | null
}

export const fullHearts = (rules: HeartRules): HeartsState => ({
  hearts: rules.max_hearts,
  refill_anchor_at: null,
  updated_at: null,
})

const intervalMs = (rules: HeartRules) => rules.regen_interval_minutes * 60_000
const iso = (ms: number) => new Date(ms).toISOString()
// Compared as instants: stored timestamps and signal times may differ in ISO spelling across databases.
const later = (a: string | null, b: string) => iso(Math.max(a === null ? 0 : Date.parse(a), Date.parse(b)))

/**
 * The state at `at`, with the hearts regained since the anchor; `last_refill_at` is when the last of them
 * came back (null if none did). A time before the state's own is read as the state's time.
 */
export function regenerate(
  state: HeartsState,
  at: string,
  rules: HeartRules,
): { state: HeartsState; gained: number; last_refill_at: string | null } {
  const max = rules.max_hearts
  const time = later(state.updated_at, at)
  if (state.hearts >= max) {
    return {
      state: { hearts: max, refill_anchor_at: null, updated_at: time },
      gained: 0,
      last_refill_at: null,
    }
  }
  // No anchor below the maximum: the school raised it; regeneration starts from the state's time.
  const anchor = Date.parse(state.refill_anchor_at ?? state.updated_at ?? time)
  const periods = Math.max(0, Math.floor((Date.parse(time) - anchor) / intervalMs(rules)))
  const gained = Math.min(periods, max - state.hearts)
  const hearts = state.hearts + gained
  const nextAnchor = anchor + gained * intervalMs(rules)
  return {
    state: { hearts, refill_anchor_at: hearts >= max ? null : iso(nextAnchor), updated_at: time },
    gained,
    last_refill_at: gained > 0 ? iso(nextAnchor) : null,
  }
}

/** A failed attempt at `at`: regeneration up to then, then one heart less (none when already at zero). */
export function loseHeart(
  state: HeartsState,
  at: string,
  rules: HeartRules,
): { state: HeartsState; lost: boolean } {
  const { state: now } = regenerate(state, at, rules)
  if (now.hearts <= 0) return { state: now, lost: false }
  // Losing from full starts the regeneration clock; below full it keeps running.
  const anchor = now.refill_anchor_at ?? (now.updated_at as string)
  return { state: { ...now, hearts: now.hearts - 1, refill_anchor_at: anchor }, lost: true }
}

/** A refill recorded at `at`: ignored when the state is already past it, else regeneration up to it. */
export function applyRefill(state: HeartsState, at: string, rules: HeartRules): HeartsState {
  if (state.updated_at !== null && Date.parse(at) < Date.parse(state.updated_at)) return state
  return regenerate(state, at, rules).state
}

/** When the next heart comes back, and when all will be back; null when full. */
export function heartTimes(state: HeartsState, rules: HeartRules) {
  if (state.refill_anchor_at === null || state.hearts >= rules.max_hearts) {
    return { next_heart_at: null, full_at: null }
  }
  const anchor = Date.parse(state.refill_anchor_at)
  return {
    next_heart_at: iso(anchor + intervalMs(rules)),
    full_at: iso(anchor + (rules.max_hearts - state.hearts) * intervalMs(rules)),
  }
}
