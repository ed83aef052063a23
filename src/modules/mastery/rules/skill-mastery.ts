import { type MasteryLevel, masteryLevel, masteryLevels } from './levels.ts'

// Skill mastery: per student and skill, an exponentially weighted share of right answers over every
// question tagged with the skill, in any course. Recent answers count more: each older answer weighs
// `recencyWeight` times the one after it, so a skill once failed and now known climbs back quickly.
//
//   weighted_sum ← weighted_sum × r + share awarded      weight_total ← weight_total × r + 1
//   score = weighted_sum / weight_total                   (r = recencyWeight; no bias towards 0 at start)
//
// Levels (rules/levels.ts): familiar from 0.5 with one answer, proficient from 0.75 with two, mastered from
// 0.9 with three. Mastery fades without practice: one level down for every `decayIntervalDays` full days
// since the skill was last practised, never below "attempted". Decay is computed when read, with the
// injected clock, so that stored rows depend on signals only and a rebuild gives the same rows.

const recencyWeight = 0.7
export const decayIntervalDays = 28

const DAY_MS = 86_400_000

export type SkillState = {
  weighted_sum: number
  weight_total: number
  score: number
  /** Answers to questions tagged with the skill. */
  attempts: number
  /** Of which fully right. */
  correct: number
  last_practised_at: string
  /** The last signal applied: a signal at or before it is already counted. */
  last_seq: number
}

/**
 * The skill after the answers of one signal (shares awarded in [0, 1], in question order); `null` when that
 * signal was already applied.
 */
export function practise(
  previous: SkillState | null,
  shares: number[],
  signal: { seq: number; occurred_at: string },
): SkillState | null {
  if (shares.length === 0 || (previous && signal.seq <= previous.last_seq)) return null
  let weightedSum = previous?.weighted_sum ?? 0
  let weightTotal = previous?.weight_total ?? 0
  for (const share of shares) {
    weightedSum = weightedSum * recencyWeight + share
    weightTotal = weightTotal * recencyWeight + 1
  }
  return {
    weighted_sum: weightedSum,
    weight_total: weightTotal,
    score: weightedSum / weightTotal,
    attempts: (previous?.attempts ?? 0) + shares.length,
    correct: (previous?.correct ?? 0) + shares.filter((s) => s >= 1).length,
    last_practised_at: signal.occurred_at,
    last_seq: signal.seq,
  }
}

/** How many levels a skill has lost to `now`: one per full `decayIntervalDays` without practice. */
export function levelsLost(lastPractisedAt: string, now: Date): number {
  const idleMs = now.getTime() - Date.parse(lastPractisedAt)
  return idleMs <= 0 ? 0 : Math.floor(idleMs / (decayIntervalDays * DAY_MS))
}

/** A skill as a student sees it at `now`: its level after decay, and whether decay lowered it. */
export function skillLevelAt(
  state: Pick<SkillState, 'score' | 'attempts' | 'last_practised_at'>,
  now: Date,
): { level: MasteryLevel; practised_level: MasteryLevel; decayed: boolean } {
  const practised = masteryLevel(state.score, state.attempts)
  const index = Math.max(0, masteryLevels.indexOf(practised) - levelsLost(state.last_practised_at, now))
  const level = masteryLevels[index] ?? 'attempted'
  return { level, practised_level: practised, decayed: level !== practised }
}
