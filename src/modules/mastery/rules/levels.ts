// Mastery levels, after Khan Academy's: attempted, familiar, proficient, mastered. A level needs both a
// score (share of the evidence that was right) and enough evidence: one lucky answer is not mastery.

export const masteryLevels = ['attempted', 'familiar', 'proficient', 'mastered'] as const
export type MasteryLevel = (typeof masteryLevels)[number]

/** The lowest score and the least evidence (answers, or questions for a course) each level needs. */
const levelThresholds: Record<Exclude<MasteryLevel, 'attempted'>, { score: number; evidence: number }> = {
  familiar: { score: 0.5, evidence: 1 },
  proficient: { score: 0.75, evidence: 2 },
  mastered: { score: 0.9, evidence: 3 },
}

/** The highest level whose thresholds the score and the evidence both reach; `attempted` otherwise. */
export function masteryLevel(score: number, evidence: number): MasteryLevel {
  for (const level of ['mastered', 'proficient', 'familiar'] as const) {
    const needs = levelThresholds[level]
    if (score >= needs.score && evidence >= needs.evidence) return level
  }
  return 'attempted'
}
